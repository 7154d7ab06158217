/*
 * The campaign feed format (schemas/feeds/udk-campaign.v1.json), the same for
 * the HTTP upload and the Kafka parts: newline-delimited JSON, a header line
 * then one line per record. Pure functions, no database: the line splitter,
 * the header check and the record check (every failing field named, never a
 * submitted value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jc/cpr.h"
#include "control.h"
#include "jc/crypto.h"
#include "jc/timeutil.h"
#include "jc/vocab.h"

/* udlandsophold (stays abroad), uoplyst-arbejde (undeclared work),
 * samlivsforhold (cohabitation), adresse (address, no fixed address). */
const char *const ctl_themes[] = {"udlandsophold", "uoplyst-arbejde", "samlivsforhold", "adresse",
                                  NULL};
static const char *const kinds[] = {"information", "control", NULL};
static const char *const header_fields[] = {"format", "campaign_id", "feed_id", "theme", "kind",
                                            "period", "record_count", "target_groups",
                                            "produced_at", "part", "parts", NULL};
static const char *const period_fields[] = {"from", "to", NULL};
static const char *const record_fields[] = {"udk_ref", "cpr", "evidence", NULL};

/* ---------------------------------------------------------------- lines */

void ctl_lines_init(ctl_lines *l, size_t max_line, ctl_line_fn fn, void *opaque)
{
        memset(l, 0, sizeof(*l));
        l->cur = (jc_buf)JC_BUF_INIT;
        l->max_line = max_line;
        l->fn = fn;
        l->opaque = opaque;
}

void ctl_lines_release(ctl_lines *l)
{
        jc_buf_release(&l->cur);
}

/* Hands the current line (without \n and a trailing \r) to the callback. */
static int emit_line(ctl_lines *l)
{
        size_t n = l->cur.len;
        int rc;

        if (n && l->cur.data[n - 1] == '\r')
                n--;
        l->line_no++;
        rc = l->fn(l->opaque, l->line_no, l->cur.data, n, l->too_long);
        jc_buf_reset(&l->cur);
        l->too_long = 0;
        return rc;
}

int ctl_lines_feed(ctl_lines *l, const char *data, size_t len)
{
        while (len) {
                const char *nl = memchr(data, '\n', len);
                size_t take = nl ? (size_t)(nl - data) : len;

                if (!l->too_long) {
                        if (l->cur.len + take > l->max_line) {
                                l->too_long = 1; /* keep nothing more of it */
                                jc_buf_reset(&l->cur);
                        } else if (jc_buf_append(&l->cur, data, take) != 0) {
                                return -1;
                        }
                }
                if (!nl)
                        break;
                if (emit_line(l) != 0)
                        return -1;
                data = nl + 1;
                len -= take + 1;
        }
        return 0;
}

int ctl_lines_finish(ctl_lines *l)
{
        if (l->cur.len == 0 && !l->too_long)
                return 0; /* the body ended with a newline */
        return emit_line(l);
}

int ctl_line_is_blank(const char *line, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
                        return 0;
        return 1;
}

/* ---------------------------------------------------------------- fields */

int ctl_id_ok(const char *s)
{
        static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        size_t n = s ? strlen(s) : 0;

        return n >= 1 && n <= CTL_ID_MAX && strchr(alnum, s[0]) &&
               strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

static const char *v_id(json_t *obj, const char *prefix, const char *key, jc_verrs *v)
{
        const char *s = jc_v_str(obj, prefix, key, 1, 1, CTL_ID_MAX, v);
        char field[96];

        if (s && !ctl_id_ok(s)) {
                jc_vfield(field, sizeof(field), prefix, key);
                jc_verrs_add(v, field,
                             "must start with a letter or digit and contain only letters, digits "
                             "and . _ : -");
                return NULL;
        }
        return s;
}

static int all_of(const char *s, size_t n, const char *set)
{
        return strlen(s) == n && strspn(s, set) == n;
}

/* A date that must not be before `from` (when both are valid). */
static void v_date_after(json_t *obj, const char *prefix, const char *key, int have_from,
                         jc_date from, jc_verrs *v)
{
        jc_date to;
        char field[96];

        if (jc_v_date(obj, prefix, key, 0, &to, v) == 1 && have_from && jc_date_cmp(to, from) < 0) {
                jc_vfield(field, sizeof(field), prefix, key);
                jc_verrs_add(v, field, "must not be before %s.from", prefix);
        }
}

/* ---------------------------------------------------------------- header */

void ctl_feed_header_release(ctl_feed_header *h)
{
        jc_buf_release(&h->target_groups);
}

/* SHA-256 of the header in canonical form without "part": the same for every
 * part of one feed. */
static int header_digest(json_t *obj, char out[65])
{
        json_t *copy = json_deep_copy(obj);
        char *s;
        int rc = -1;

        if (!copy)
                return -1;
        json_object_del(copy, "part");
        s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
        if (s && jc_sha256_hex(s, strlen(s), out) == 0)
                rc = 0;
        free(s);
        json_decref(copy);
        return rc;
}

void ctl_feed_header_parse(json_t *obj, ctl_feed_header *h, jc_verrs *v)
{
        const char *s, *format;
        json_t *period, *groups;
        long long n;
        int have_from = 0, have_part, have_parts;

        memset(h, 0, sizeof(*h));
        h->target_groups = (jc_buf)JC_BUF_INIT;
        h->part = h->parts = 1;
        if (!json_is_object(obj)) {
                jc_verrs_add(v, "header", "the first line must be the feed header, a JSON object");
                return;
        }
        jc_v_no_unknown(obj, "header", header_fields, v);
        format = jc_v_str(obj, "header", "format", 1, 1, 40, v);
        if (format && strcmp(format, CTL_FEED_FORMAT) != 0)
                jc_verrs_add(v, "header.format", "must be \"%s\"", CTL_FEED_FORMAT);
        if ((s = v_id(obj, "header", "campaign_id", v)))
                snprintf(h->campaign_id, sizeof(h->campaign_id), "%s", s);
        if ((s = v_id(obj, "header", "feed_id", v)))
                snprintf(h->feed_id, sizeof(h->feed_id), "%s", s);
        if ((s = jc_v_enum(obj, "header", "theme", 1, ctl_themes, v)))
                snprintf(h->theme, sizeof(h->theme), "%s", s);
        if ((s = jc_v_enum(obj, "header", "kind", 1, kinds, v)))
                snprintf(h->kind, sizeof(h->kind), "%s", s);
        period = jc_v_object(obj, "header", "period", 1, v);
        if (period) {
                jc_v_no_unknown(period, "header.period", period_fields, v);
                have_from = jc_v_date(period, "header.period", "from", 1, &h->period_from, v) == 1;
                if (jc_v_date(period, "header.period", "to", 1, &h->period_to, v) == 1 &&
                    have_from && jc_date_cmp(h->period_to, h->period_from) < 0)
                        jc_verrs_add(v, "header.period.to", "must not be before header.period.from");
        }
        if (jc_v_int(obj, "header", "record_count", 1, 0, CTL_FEED_MAX_RECORDS, &n, v) == 1)
                h->record_count = n;
        groups = jc_v_array(obj, "header", "target_groups", 0, 13, v);
        if (groups) {
                size_t i;
                json_t *g;

                if (json_array_size(groups) == 0)
                        jc_verrs_add(v, "header.target_groups",
                                     "must name at least one target group (leave it out for all)");
                json_array_foreach(groups, i, g) {
                        char field[48];

                        snprintf(field, sizeof(field), "header.target_groups[%zu]", i);
                        if (!json_is_string(g) || !jc_vocab_has(jc_target_groups, json_string_value(g)))
                                jc_verrs_add(v, field, "must be a target group");
                        else
                                jc_pg_array_add(&h->target_groups, json_string_value(g));
                }
                if (h->target_groups.len)
                        jc_pg_array_end(&h->target_groups);
        }
        s = jc_v_str(obj, "header", "produced_at", 0, 1, 40, v);
        if (s && jc_time_check_rfc3339(s) != 0)
                jc_verrs_add(v, "header.produced_at", "must be an RFC 3339 date-time");
        have_part = jc_v_int(obj, "header", "part", 0, 1, CTL_FEED_MAX_PARTS, &h->part, v);
        have_parts = jc_v_int(obj, "header", "parts", 0, 1, CTL_FEED_MAX_PARTS, &h->parts, v);
        if ((have_part == 1) != (have_parts == 1) && have_part >= 0 && have_parts >= 0)
                jc_verrs_add(v, have_part == 1 ? "header.parts" : "header.part",
                             "part and parts come together");
        else if (have_part == 1 && have_parts == 1 && h->part > h->parts)
                jc_verrs_add(v, "header.part", "must not be greater than header.parts");
        h->has_parts = have_part == 1 && have_parts == 1;
        if (jc_verrs_count(v) == 0 && header_digest(obj, h->digest) != 0)
                jc_verrs_add(v, "header", "could not be processed (out of memory)");
}

/* ---------------------------------------------------------------- records */

static void evidence_stays_abroad(json_t *e, jc_verrs *v)
{
        static const char *const fields[] = {"country", "from", "to", "source", NULL};
        static const char *const sources[] = {"passenger_data", "foreign_authority",
                                              "payment_card", "employer", "other", NULL};
        const char *country;
        jc_date from;
        int have_from;

        jc_v_no_unknown(e, "evidence", fields, v);
        country = jc_v_str(e, "evidence", "country", 1, 2, 2, v);
        if (country && (!all_of(country, 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
                        strcmp(country, "DK") == 0))
                jc_verrs_add(v, "evidence.country",
                             "must be an ISO 3166-1 alpha-2 country code other than DK");
        have_from = jc_v_date(e, "evidence", "from", 1, &from, v) == 1;
        v_date_after(e, "evidence", "to", have_from, from, v);
        jc_v_enum(e, "evidence", "source", 1, sources, v);
}

static void evidence_undeclared_work(json_t *e, jc_verrs *v)
{
        static const char *const fields[] = {"employer_cvr", "from", "to", "income_dkk", "source",
                                             NULL};
        static const char *const sources[] = {"eindkomst", "skat", "employer", "other", NULL};
        const char *cvr;
        long long income;
        jc_date from;
        int have_from;

        jc_v_no_unknown(e, "evidence", fields, v);
        cvr = jc_v_str(e, "evidence", "employer_cvr", 1, 8, 8, v);
        if (cvr && !all_of(cvr, 8, "0123456789"))
                jc_verrs_add(v, "evidence.employer_cvr", "must be a CVR number of 8 digits");
        have_from = jc_v_date(e, "evidence", "from", 1, &from, v) == 1;
        v_date_after(e, "evidence", "to", have_from, from, v);
        jc_v_int(e, "evidence", "income_dkk", 0, 0, 100000000, &income, v);
        jc_v_enum(e, "evidence", "source", 1, sources, v);
}

static void evidence_cohabitation(json_t *e, jc_verrs *v)
{
        static const char *const fields[] = {"since", "co_residents", "source", NULL};
        static const char *const sources[] = {"cpr_register", "bbr", "other", NULL};
        long long n;
        jc_date since;

        jc_v_no_unknown(e, "evidence", fields, v);
        jc_v_date(e, "evidence", "since", 1, &since, v);
        jc_v_int(e, "evidence", "co_residents", 1, 1, 20, &n, v);
        jc_v_enum(e, "evidence", "source", 1, sources, v);
}

static void evidence_address(json_t *e, jc_verrs *v)
{
        static const char *const fields[] = {"status", "since", "source", NULL};
        static const char *const statuses[] = {"no_fixed_address", "abroad", "unknown_address",
                                               "address_mismatch", NULL};
        static const char *const sources[] = {"cpr_register", "bbr", "other", NULL};
        jc_date since;

        jc_v_no_unknown(e, "evidence", fields, v);
        jc_v_enum(e, "evidence", "status", 1, statuses, v);
        jc_v_date(e, "evidence", "since", 1, &since, v);
        jc_v_enum(e, "evidence", "source", 1, sources, v);
}

void ctl_feed_record_parse(json_t *obj, const char *theme, ctl_feed_record *r, jc_verrs *v)
{
        const char *cpr;
        json_t *e;

        memset(r, 0, sizeof(*r));
        if (!json_is_object(obj)) {
                jc_verrs_add(v, "(record)", "must be a JSON object");
                return;
        }
        jc_v_no_unknown(obj, NULL, record_fields, v);
        r->udk_ref = v_id(obj, NULL, "udk_ref", v);
        cpr = jc_v_str(obj, NULL, "cpr", 1, 10, 11, v);
        if (cpr && jc_cpr_normalise(cpr, r->cpr) != 0)
                jc_verrs_add(v, "cpr", "must be 10 digits (DDMMYYSSSS) starting with a real date of birth");
        e = jc_v_object(obj, NULL, "evidence", 1, v);
        if (e) {
                if (strcmp(theme, "udlandsophold") == 0)
                        evidence_stays_abroad(e, v);
                else if (strcmp(theme, "uoplyst-arbejde") == 0)
                        evidence_undeclared_work(e, v);
                else if (strcmp(theme, "samlivsforhold") == 0)
                        evidence_cohabitation(e, v);
                else
                        evidence_address(e, v);
        }
        r->evidence = e;
}
