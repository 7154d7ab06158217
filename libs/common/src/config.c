#include "jc/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *jc_config_str(const char *name, const char *def)
{
        const char *v = getenv(name);

        return v && *v ? v : def;
}

int jc_config_long(const char *name, long def, long min, long max, long *out,
                   char *err, size_t errlen)
{
        const char *v = getenv(name);
        char *end;
        long n;

        if (!v || !*v) {
                *out = def;
                return 0;
        }
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno != 0 || *end != '\0' || n < min || n > max) {
                snprintf(err, errlen,
                         "invalid value for %s: \"%.40s\" is not an integer in [%ld, %ld]",
                         name, v, min, max);
                return -1;
        }
        *out = n;
        return 0;
}

int jc_config_bool(const char *name, int def, int *out, char *err,
                   size_t errlen)
{
        static const char *const yes[] = {"1", "true", "yes", "on"};
        static const char *const no[] = {"0", "false", "no", "off"};
        const char *v = getenv(name);

        if (!v || !*v) {
                *out = def;
                return 0;
        }
        for (size_t i = 0; i < 4; i++) {
                if (strcasecmp(v, yes[i]) == 0) {
                        *out = 1;
                        return 0;
                }
                if (strcasecmp(v, no[i]) == 0) {
                        *out = 0;
                        return 0;
                }
        }
        snprintf(err, errlen,
                 "invalid value for %s: \"%.40s\" is not a boolean (true/false)",
                 name, v);
        return -1;
}

void jc_config_print_markdown(const jc_config_var *vars, size_t n, FILE *out)
{
        for (size_t i = 0; i < n; i++)
                fprintf(out, "| `%s` | %s%s%s | %s |\n", vars[i].name,
                        vars[i].default_value ? "`" : "",
                        vars[i].default_value ? vars[i].default_value : "(unset)",
                        vars[i].default_value ? "`" : "", vars[i].help);
}
