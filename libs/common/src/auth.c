#include "jc/auth.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/crypto.h"

static int hex_to_bytes(const char *hex, unsigned char out[32])
{
        if (strlen(hex) != 64)
                return -1;
        for (int i = 0; i < 32; i++) {
                unsigned hi, lo;
                char h = (char)tolower((unsigned char)hex[2 * i]);
                char l = (char)tolower((unsigned char)hex[2 * i + 1]);

                if (!isxdigit((unsigned char)h) || !isxdigit((unsigned char)l))
                        return -1;
                hi = (unsigned)(isdigit((unsigned char)h) ? h - '0' : h - 'a' + 10);
                lo = (unsigned)(isdigit((unsigned char)l) ? l - '0' : l - 'a' + 10);
                out[i] = (unsigned char)(hi << 4 | lo);
        }
        return 0;
}

static int load_root(jc_token_table *t, json_t *root, const char *where,
                     char *err, size_t errlen)
{
        json_t *arr = json_object_get(root, "tokens");
        size_t i;
        json_t *jt;

        if (!json_is_array(arr)) {
                snprintf(err, errlen, "%s: expected {\"tokens\": [...]}", where);
                return -1;
        }
        t->tokens = calloc(json_array_size(arr) ? json_array_size(arr) : 1,
                           sizeof(jc_token));
        if (!t->tokens) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        json_array_foreach(arr, i, jt) {
                jc_token *tok = &t->tokens[i];
                const char *p = json_string_value(json_object_get(jt, "principal"));
                const char *h = json_string_value(json_object_get(jt, "sha256"));
                json_t *scopes = json_object_get(jt, "scopes");

                t->ntokens = i + 1;
                if (!p || !*p || strlen(p) >= sizeof(tok->principal) || !h ||
                    hex_to_bytes(h, tok->sha256) != 0 || !json_is_array(scopes)) {
                        snprintf(err, errlen,
                                 "%s: tokens[%zu] needs principal (1-63 chars), "
                                 "sha256 (64 hex digits) and scopes (array)",
                                 where, i);
                        return -1;
                }
                snprintf(tok->principal, sizeof(tok->principal), "%s", p);
                tok->nscopes = json_array_size(scopes);
                tok->scopes = calloc(tok->nscopes ? tok->nscopes : 1, sizeof(char *));
                if (!tok->scopes) {
                        snprintf(err, errlen, "out of memory");
                        return -1;
                }
                for (size_t s = 0; s < tok->nscopes; s++) {
                        const char *sc = json_string_value(json_array_get(scopes, s));

                        if (!sc || !*sc || strchr(sc, '|')) {
                                snprintf(err, errlen, "%s: tokens[%zu].scopes[%zu] is invalid",
                                         where, i, s);
                                return -1;
                        }
                        tok->scopes[s] = strdup(sc);
                        if (!tok->scopes[s]) {
                                snprintf(err, errlen, "out of memory");
                                return -1;
                        }
                }
        }
        return 0;
}

int jc_tokens_parse(jc_token_table *t, const char *json, char *err,
                    size_t errlen)
{
        json_error_t jerr;
        json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
        int rc;

        memset(t, 0, sizeof(*t));
        if (!root) {
                snprintf(err, errlen, "token table: invalid JSON on line %d", jerr.line);
                return -1;
        }
        rc = load_root(t, root, "token table", err, errlen);
        json_decref(root);
        if (rc != 0)
                jc_tokens_release(t);
        return rc;
}

int jc_tokens_load(jc_token_table *t, const char *path, char *err,
                   size_t errlen)
{
        json_error_t jerr;
        json_t *root;
        int rc;

        memset(t, 0, sizeof(*t));
        if (!path || !*path)
                return 0;
        root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                snprintf(err, errlen, "could not read token file %s: %s", path,
                         jerr.text);
                return -1;
        }
        rc = load_root(t, root, path, err, errlen);
        json_decref(root);
        if (rc != 0)
                jc_tokens_release(t);
        return rc;
}

void jc_tokens_release(jc_token_table *t)
{
        for (size_t i = 0; i < t->ntokens; i++) {
                for (size_t s = 0; s < t->tokens[i].nscopes && t->tokens[i].scopes; s++)
                        free(t->tokens[i].scopes[s]);
                free(t->tokens[i].scopes);
        }
        free(t->tokens);
        memset(t, 0, sizeof(*t));
}

const jc_token *jc_tokens_verify(const jc_token_table *t, const char *token)
{
        char hex[65];
        unsigned char h[32];
        const jc_token *found = NULL;

        if (!token || !*token || jc_sha256_hex(token, strlen(token), hex) != 0 ||
            hex_to_bytes(hex, h) != 0)
                return NULL;
        /* Visit every entry whatever matches, so timing tells nothing. */
        for (size_t i = 0; i < t->ntokens; i++) {
                int eq = jc_ct_equal(h, t->tokens[i].sha256, 32);

                if (eq && !found)
                        found = &t->tokens[i];
        }
        return found;
}

static int scope_matches(const char *have, const char *want, size_t wantlen)
{
        if (wantlen >= 2 && want[wantlen - 1] == '*' && want[wantlen - 2] == ':')
                return strncmp(have, want, wantlen - 1) == 0 && have[wantlen - 1] != '\0';
        return strlen(have) == wantlen && strncmp(have, want, wantlen) == 0;
}

int jc_token_has_scope(const jc_token *tok, const char *required)
{
        const char *p = required;

        if (!tok)
                return 0;
        while (*p) {
                const char *bar = strchr(p, '|');
                size_t n = bar ? (size_t)(bar - p) : strlen(p);

                for (size_t i = 0; i < tok->nscopes; i++)
                        if (scope_matches(tok->scopes[i], p, n))
                                return 1;
                if (!bar)
                        break;
                p = bar + 1;
        }
        return 0;
}

const char *jc_token_akasse_code(const jc_token *tok)
{
        for (size_t i = 0; tok && i < tok->nscopes; i++)
                if (strncmp(tok->scopes[i], "akasse:", 7) == 0 && tok->scopes[i][7])
                        return tok->scopes[i] + 7;
        return NULL;
}
