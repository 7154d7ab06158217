#ifndef JC_AUTH_H
#define JC_AUTH_H

#include <stddef.h>

/*
 * Bearer tokens. Only SHA-256 hashes of tokens are configured, in a JSON file
 * (JC_TOKENS_FILE):
 *
 *   {"tokens": [
 *     {"principal": "akasse-3f", "sha256": "<64 hex>", "scopes": ["akasse:3F"]},
 *     {"principal": "cw-anna",   "sha256": "<64 hex>", "scopes": ["caseworker"]}
 *   ]}
 *
 * A presented token is hashed and compared with every configured hash in
 * constant time. The principal name is what audit rows and logs record;
 * the token itself is never logged.
 *
 * Scopes: "caseworker", "admin", "portal", "udk:feed", "akasse:<code>".
 * A route requires one of several scopes ("caseworker|admin"); "akasse:*"
 * matches any a-kasse scope.
 */
typedef struct jc_token {
        char principal[64];
        unsigned char sha256[32];
        char **scopes;
        size_t nscopes;
} jc_token;

typedef struct jc_token_table {
        jc_token *tokens;
        size_t ntokens;
} jc_token_table;

/* Loads the file at `path` (NULL or "": an empty table, so every protected
 * route answers 401). Release with jc_tokens_release(). */
int jc_tokens_load(jc_token_table *t, const char *path, char *err,
                   size_t errlen);
/* Parses the same JSON from memory. */
int jc_tokens_parse(jc_token_table *t, const char *json, char *err,
                    size_t errlen);
void jc_tokens_release(jc_token_table *t);

/* The entry matching `token`, or NULL. Borrowed from `t`. */
const jc_token *jc_tokens_verify(const jc_token_table *t, const char *token);

/* 1 when `tok` holds one of the '|'-separated scopes in `required`. */
int jc_token_has_scope(const jc_token *tok, const char *required);

/* For a token with scope "akasse:<code>", the code (borrowed); else NULL. */
const char *jc_token_akasse_code(const jc_token *tok);

#endif
