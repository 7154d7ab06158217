/* Environment configuration and bearer-token authentication. */
#include <stdlib.h>

#include "jc/auth.h"
#include "jc/config.h"
#include "jc/crypto.h"
#include "jc_test.h"

static void test_config(void)
{
        char err[256] = "";
        long n = 0;
        int b = 0;

        unsetenv("JC_T_PORT");
        CHECK_INT(jc_config_long("JC_T_PORT", 8081, 1, 65535, &n, err, sizeof(err)), 0);
        CHECK_INT(n, 8081);
        setenv("JC_T_PORT", "9090", 1);
        CHECK_INT(jc_config_long("JC_T_PORT", 8081, 1, 65535, &n, err, sizeof(err)), 0);
        CHECK_INT(n, 9090);
        setenv("JC_T_PORT", "70000", 1);
        CHECK_INT(jc_config_long("JC_T_PORT", 8081, 1, 65535, &n, err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "JC_T_PORT");
        setenv("JC_T_PORT", "12ab", 1);
        CHECK_INT(jc_config_long("JC_T_PORT", 8081, 1, 65535, &n, err, sizeof(err)), -1);
        setenv("JC_T_PORT", "", 1);
        CHECK_INT(jc_config_long("JC_T_PORT", 8081, 1, 65535, &n, err, sizeof(err)), 0);
        CHECK_INT(n, 8081);
        setenv("JC_T_FLAG", "Yes", 1);
        CHECK_INT(jc_config_bool("JC_T_FLAG", 0, &b, err, sizeof(err)), 0);
        CHECK_INT(b, 1);
        setenv("JC_T_FLAG", "off", 1);
        CHECK_INT(jc_config_bool("JC_T_FLAG", 1, &b, err, sizeof(err)), 0);
        CHECK_INT(b, 0);
        setenv("JC_T_FLAG", "maybe", 1);
        CHECK_INT(jc_config_bool("JC_T_FLAG", 1, &b, err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "JC_T_FLAG");
        setenv("JC_T_S", "x", 1);
        CHECK_STR(jc_config_str("JC_T_S", "d"), "x");
        CHECK_STR(jc_config_str("JC_T_UNSET_VAR", "d"), "d");
}

static void test_sha256(void)
{
        char hex[65];

        CHECK_INT(jc_sha256_hex("abc", 3, hex), 0);
        CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK_INT(jc_hmac_sha256_hex("key", 3, "The quick brown fox jumps over the lazy dog", 43, hex), 0);
        CHECK_STR(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        CHECK(jc_ct_equal("abcd", "abcd", 4));
        CHECK(!jc_ct_equal("abcd", "abce", 4));
}

static void test_tokens(void)
{
        char json[1024], err[256] = "", h1[65], h2[65];
        jc_token_table t;
        const jc_token *tok;

        jc_sha256_hex("secret-cw", 9, h1);
        jc_sha256_hex("secret-ak", 9, h2);
        snprintf(json, sizeof(json),
                 "{\"tokens\":[{\"principal\":\"cw\",\"sha256\":\"%s\",\"scopes\":[\"caseworker\"]},"
                 "{\"principal\":\"ak\",\"sha256\":\"%s\",\"scopes\":[\"akasse:3F\"]}]}",
                 h1, h2);
        CHECK_INT(jc_tokens_parse(&t, json, err, sizeof(err)), 0);
        tok = jc_tokens_verify(&t, "secret-cw");
        CHECK(tok != NULL);
        CHECK_STR(tok ? tok->principal : NULL, "cw");
        CHECK(jc_token_has_scope(tok, "caseworker"));
        CHECK(jc_token_has_scope(tok, "admin|caseworker"));
        CHECK(!jc_token_has_scope(tok, "admin"));
        CHECK(!jc_token_has_scope(tok, "akasse:*"));
        CHECK(jc_token_akasse_code(tok) == NULL);
        tok = jc_tokens_verify(&t, "secret-ak");
        CHECK(jc_token_has_scope(tok, "akasse:*"));
        CHECK(jc_token_has_scope(tok, "akasse:3F"));
        CHECK(!jc_token_has_scope(tok, "akasse:FOA"));
        CHECK(!jc_token_has_scope(tok, "caseworker|portal"));
        CHECK_STR(jc_token_akasse_code(tok), "3F");
        CHECK(jc_tokens_verify(&t, "secret-cw ") == NULL);
        CHECK(jc_tokens_verify(&t, "") == NULL);
        CHECK(jc_tokens_verify(&t, NULL) == NULL);
        CHECK(!jc_token_has_scope(NULL, "caseworker"));
        jc_tokens_release(&t);

        CHECK_INT(jc_tokens_parse(&t, "{\"tokens\":[{\"principal\":\"x\",\"sha256\":\"zz\",\"scopes\":[]}]}",
                                  err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "tokens[0]");
        CHECK_INT(jc_tokens_parse(&t, "not json", err, sizeof(err)), -1);
        CHECK_INT(jc_tokens_load(&t, "/nonexistent/tokens.json", err, sizeof(err)), -1);
        CHECK_CONTAINS(err, "/nonexistent/tokens.json");
        CHECK_INT(jc_tokens_load(&t, NULL, err, sizeof(err)), 0);
        CHECK_INT(t.ntokens, 0);
        CHECK(jc_tokens_verify(&t, "anything") == NULL);
        jc_tokens_release(&t);
}

int main(void)
{
        RUN(test_config);
        RUN(test_sha256);
        RUN(test_tokens);
        return JC_TEST_RESULT();
}
