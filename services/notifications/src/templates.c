/*
 * Loading the templates: built in (../templates/, embedded by CMake) or
 * from JC_NOTIFY_TEMPLATES_DIR, which then replaces the built-in set. Every
 * file is checked at start-up, so a template that uses a field its trigger
 * does not provide stops the service before it sends anything.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifications.h"

#define MAX_FILES 512

typedef struct tfile {
        char name[128];
        char *data; /* owned */
} tfile;

typedef struct check_arg {
        const notif_template_spec *spec;
        const char *file;
        char *err;
        size_t errlen;
} check_arg;

static int in_list(const char *const *list, const char *s)
{
        for (; *list; list++)
                if (strcmp(*list, s) == 0)
                        return 1;
        return 0;
}

static void list_fields(const notif_template_spec *spec, char *out, size_t outlen)
{
        size_t used = 0;

        out[0] = '\0';
        for (int pass = 0; pass < 2; pass++)
                for (const char *const *f = pass ? notif_render_fields(spec->recipient) : spec->fields;
                     *f; f++) {
                        int n = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", *f);

                        if (n < 0 || (size_t)n >= outlen - used)
                                return;
                        used += (size_t)n;
                }
}

static int check_placeholder(const char *name, void *arg)
{
        check_arg *a = arg;
        char fields[512];

        if (in_list(a->spec->fields, name) || in_list(notif_render_fields(a->spec->recipient), name))
                return 0;
        list_fields(a->spec, fields, sizeof(fields));
        snprintf(a->err, a->errlen,
                 "template %s references field \"%s\", which trigger %s does not provide "
                 "(it provides: %s)",
                 a->file, name, a->spec->trigger, fields);
        return -1;
}

static int check_part(const notif_template_spec *spec, const char *file, const char *src, char *err,
                      size_t errlen)
{
        check_arg a = {spec, file, err, errlen};
        char syntax[256];

        err[0] = '\0';
        if (notif_tmpl_scan(src, check_placeholder, &a, syntax, sizeof(syntax)) != 0) {
                /* check_placeholder wrote err; a syntax error only `syntax` */
                if (strncmp(err, "template ", 9) != 0)
                        snprintf(err, errlen, "template %s: %s", file, syntax);
                return -1;
        }
        return 0;
}

/* "<id>.v<N>.<ext>" -> id, N, ext ("txt"/"html"). 0 or -1. */
static int parse_name(const char *name, char id[48], int *version, const char **ext)
{
        const char *dot_v = strstr(name, ".v"), *p;
        size_t idlen;
        long v = 0;

        if (!dot_v)
                return -1;
        idlen = (size_t)(dot_v - name);
        if (idlen == 0 || idlen >= 48)
                return -1;
        for (size_t i = 0; i < idlen; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '_'))
                        return -1;
        p = dot_v + 2;
        if (*p < '1' || *p > '9')
                return -1;
        while (*p >= '0' && *p <= '9' && v < 100000)
                v = v * 10 + (*p++ - '0');
        if (*p != '.' || v > 9999)
                return -1;
        p++;
        if (strcmp(p, "txt") != 0 && strcmp(p, "html") != 0)
                return -1;
        memcpy(id, name, idlen);
        id[idlen] = '\0';
        *version = (int)v;
        *ext = p;
        return 0;
}

static int is_template_file(const char *name)
{
        size_t n = strlen(name);

        return name[0] != '.' && ((n > 4 && strcmp(name + n - 4, ".txt") == 0) ||
                                  (n > 5 && strcmp(name + n - 5, ".html") == 0));
}

/* Reads the template files of `dir` into files[]. Returns the count or -1. */
static int read_dir(const char *dir, tfile *files, char *err, size_t errlen)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        if (!d) {
                snprintf(err, errlen, "JC_NOTIFY_TEMPLATES_DIR %s: %s", dir, strerror(errno));
                return -1;
        }
        while ((de = readdir(d))) {
                char path[4096];
                FILE *f;
                long len;

                if (!is_template_file(de->d_name))
                        continue;
                if (n == MAX_FILES || strlen(de->d_name) >= sizeof(files[n].name)) {
                        snprintf(err, errlen, "%s: too many template files or a name too long", dir);
                        goto fail;
                }
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                f = fopen(path, "rb");
                if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > 1 << 20 ||
                    fseek(f, 0, SEEK_SET) != 0) {
                        snprintf(err, errlen, "could not read template %s: %s", path,
                                 f ? "too large or unreadable" : strerror(errno));
                        if (f)
                                fclose(f);
                        goto fail;
                }
                files[n].data = malloc((size_t)len + 1);
                if (!files[n].data || fread(files[n].data, 1, (size_t)len, f) != (size_t)len) {
                        snprintf(err, errlen, "could not read template %s", path);
                        fclose(f);
                        free(files[n].data);
                        files[n].data = NULL;
                        goto fail;
                }
                fclose(f);
                files[n].data[len] = '\0';
                snprintf(files[n].name, sizeof(files[n].name), "%s", de->d_name);
                n++;
        }
        closedir(d);
        return n;
fail:
        closedir(d);
        for (int i = 0; i < n; i++)
                free(files[i].data);
        return -1;
}

static notif_template *find_or_add(notif_templates *t, const char *id, int version,
                                   const notif_template_spec *spec)
{
        notif_template *grown;

        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->items[i].id, id) == 0 && t->items[i].version == version)
                        return &t->items[i];
        grown = realloc(t->items, (t->n + 1) * sizeof(*grown));
        if (!grown)
                return NULL;
        t->items = grown;
        memset(&t->items[t->n], 0, sizeof(t->items[t->n]));
        snprintf(t->items[t->n].id, sizeof(t->items[t->n].id), "%s", id);
        t->items[t->n].version = version;
        t->items[t->n].spec = spec;
        return &t->items[t->n++];
}

/* Splits "Emne: <subject>\n\n<body>" of a .txt template. */
static int split_text(const char *file, const char *data, char **subject, char **body, char *err,
                      size_t errlen)
{
        const char *nl = strchr(data, '\n');
        size_t slen;

        if (strncmp(data, "Emne:", 5) != 0 || !nl || nl[1] != '\n') {
                snprintf(err, errlen,
                         "template %s must start with a line \"Emne: <subject>\" and a blank line",
                         file);
                return -1;
        }
        data += 5;
        while (*data == ' ')
                data++;
        slen = (size_t)(nl - data);
        if (slen == 0) {
                snprintf(err, errlen, "template %s has an empty subject", file);
                return -1;
        }
        *subject = strndup(data, slen);
        *body = strdup(nl + 2);
        if (!*subject || !*body) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        return 0;
}

static int add_file(notif_templates *t, const char *name, const char *data, char *err,
                    size_t errlen)
{
        char id[48];
        int version;
        const char *ext;
        const notif_template_spec *spec;
        notif_template *tp;
        json_t *utf8 = json_string(data);

        if (!utf8) {
                snprintf(err, errlen, "template %s is not valid UTF-8 text", name);
                return -1;
        }
        json_decref(utf8);
        if (parse_name(name, id, &version, &ext) != 0) {
                snprintf(err, errlen,
                         "template file %s: the name must be <template>.v<N>.txt or .html", name);
                return -1;
        }
        spec = notif_spec_find(id);
        if (!spec) {
                snprintf(err, errlen, "template file %s: no trigger uses a template \"%s\"", name,
                         id);
                return -1;
        }
        tp = find_or_add(t, id, version, spec);
        if (!tp) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        if (strcmp(ext, "html") == 0) {
                if (check_part(spec, name, data, err, errlen) != 0)
                        return -1;
                tp->html = strdup(data);
                if (!tp->html) {
                        snprintf(err, errlen, "out of memory");
                        return -1;
                }
                return 0;
        }
        /* checked whole, so an error's line number is the file's */
        if (check_part(spec, name, data, err, errlen) != 0 ||
            split_text(name, data, &tp->subject, &tp->text, err, errlen) != 0)
                return -1;
        return 0;
}

int notif_templates_load(notif_templates *t, const char *dir, const jc_embedded_file *embedded,
                         char *err, size_t errlen)
{
        tfile *files = NULL;
        int n = 0, rc = -1;

        memset(t, 0, sizeof(*t));
        if (dir) {
                files = calloc(MAX_FILES, sizeof(*files));
                if (!files) {
                        snprintf(err, errlen, "out of memory");
                        return -1;
                }
                n = read_dir(dir, files, err, errlen);
                if (n < 0)
                        goto out;
                for (int i = 0; i < n; i++)
                        if (add_file(t, files[i].name, files[i].data, err, errlen) != 0)
                                goto out;
        } else {
                for (const jc_embedded_file *f = embedded; f && f->name; f++)
                        if (is_template_file(f->name) &&
                            add_file(t, f->name, f->data, err, errlen) != 0)
                                goto out;
        }
        for (size_t i = 0; i < t->n; i++)
                if (!t->items[i].text || !t->items[i].html) {
                        snprintf(err, errlen, "template %s.v%d needs both a .txt and an .html file",
                                 t->items[i].id, t->items[i].version);
                        goto out;
                }
        for (const notif_template_spec *s = notif_specs; s->id; s++)
                if (!notif_templates_latest(t, s->id)) {
                        snprintf(err, errlen, "no template %s (for %s) in %s", s->id, s->trigger,
                                 dir ? dir : "the built-in set");
                        goto out;
                }
        rc = 0;
out:
        if (files)
                for (int i = 0; i < n; i++)
                        free(files[i].data);
        free(files);
        if (rc != 0)
                notif_templates_release(t);
        return rc;
}

void notif_templates_release(notif_templates *t)
{
        for (size_t i = 0; i < t->n; i++) {
                free(t->items[i].subject);
                free(t->items[i].text);
                free(t->items[i].html);
        }
        free(t->items);
        t->items = NULL;
        t->n = 0;
}

const notif_template *notif_templates_latest(const notif_templates *t, const char *id)
{
        const notif_template *best = NULL;

        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->items[i].id, id) == 0 && (!best || t->items[i].version > best->version))
                        best = &t->items[i];
        return best;
}

const notif_template *notif_templates_get(const notif_templates *t, const char *id, int version)
{
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->items[i].id, id) == 0 && t->items[i].version == version)
                        return &t->items[i];
        return NULL;
}
