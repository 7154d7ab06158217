/* The CPR form check (jc/cpr.h): 10 digits, a real date of birth, no modulus 11. */
#include "jc/cpr.h"

#include "jc_test.h"

static void test_cpr(void)
{
        char out[11];

        CHECK_INT(jc_cpr_normalise("0101901234", out), 0);
        CHECK_STR(out, "0101901234");
        CHECK_INT(jc_cpr_normalise("010190-1234", out), 0);
        CHECK_STR(out, "0101901234");
        /* fails modulus 11 but is valid in form since 2007 */
        CHECK_INT(jc_cpr_normalise("0101901235", out), 0);
        CHECK_INT(jc_cpr_normalise("3201901234", out), -1);  /* day 32 */
        CHECK_INT(jc_cpr_normalise("0113901234", out), -1);  /* month 13 */
        CHECK_INT(jc_cpr_normalise("2902011234", out), -1);  /* 1901, not a leap year */
        CHECK_INT(jc_cpr_normalise("2902004234", out), 0);   /* digit 4, yy 00 -> 2000 */
        CHECK_INT(jc_cpr_normalise("2902001234", out), -1);  /* digit 1, yy 00 -> 1900 */
        CHECK_INT(jc_cpr_normalise("290258-5234", out), -1); /* digit 5, yy 58 -> 1858: no leap day */
        CHECK_INT(jc_cpr_normalise("290256-5234", out), 0);  /* 2056: leap */
        CHECK_INT(jc_cpr_normalise("01019012345", out), -1);
        CHECK_INT(jc_cpr_normalise("010190123", out), -1);
        CHECK_INT(jc_cpr_normalise("0101-901234", out), -1);
        CHECK_INT(jc_cpr_normalise("01019O1234", out), -1);
        CHECK_INT(jc_cpr_normalise("", out), -1);
}

int main(void)
{
        RUN(test_cpr);
        return JC_TEST_RESULT();
}
