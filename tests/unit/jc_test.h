/*
 * A minimal unit-test harness: each test file is one executable that CTest
 * runs; a failed CHECK prints file:line and the expression, the run goes on,
 * and main() returns non-zero if any check failed.
 */
#ifndef JC_TEST_H
#define JC_TEST_H

#include <stdio.h>
#include <string.h>

static int jc_test_checks;
static int jc_test_failures;

#define CHECK(cond)                                                               \
        do {                                                                      \
                jc_test_checks++;                                                 \
                if (!(cond)) {                                                    \
                        jc_test_failures++;                                       \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
                                __LINE__, #cond);                                 \
                }                                                                 \
        } while (0)

#define CHECK_STR(a, b)                                                           \
        do {                                                                      \
                const char *a_ = (a), *b_ = (b);                                  \
                jc_test_checks++;                                                 \
                if (!a_ || !b_ || strcmp(a_, b_) != 0) {                          \
                        jc_test_failures++;                                       \
                        fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", \
                                __FILE__, __LINE__, #a, a_ ? a_ : "(null)",       \
                                b_ ? b_ : "(null)");                              \
                }                                                                 \
        } while (0)

#define CHECK_INT(a, b)                                                           \
        do {                                                                      \
                long long a_ = (long long)(a), b_ = (long long)(b);               \
                jc_test_checks++;                                                 \
                if (a_ != b_) {                                                   \
                        jc_test_failures++;                                       \
                        fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",     \
                                __FILE__, __LINE__, #a, a_, b_);                  \
                }                                                                 \
        } while (0)

#define CHECK_CONTAINS(hay, needle)                                               \
        do {                                                                      \
                const char *h_ = (hay), *n_ = (needle);                           \
                jc_test_checks++;                                                 \
                if (!h_ || !strstr(h_, n_)) {                                     \
                        jc_test_failures++;                                       \
                        fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", \
                                __FILE__, __LINE__, h_ ? h_ : "(null)", n_);      \
                }                                                                 \
        } while (0)

#define RUN(test)                                                                 \
        do {                                                                      \
                int before_ = jc_test_failures;                                   \
                test();                                                           \
                fprintf(stderr, "%s %s\n",                                        \
                        jc_test_failures == before_ ? "ok  " : "FAIL", #test);   \
        } while (0)

#define JC_TEST_RESULT()                                                          \
        (fprintf(stderr, "%d checks, %d failed\n", jc_test_checks,                \
                 jc_test_failures),                                               \
         jc_test_failures == 0 ? 0 : 1)

#endif
