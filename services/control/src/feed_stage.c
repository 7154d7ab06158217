/*
 * Staging a feed's lines, the same for the HTTP upload and a Kafka part:
 * bytes are split into lines, the header line is checked and handed to the
 * channel (which claims the feed), then every record line is checked and
 * streamed into record_stage with COPY: valid ones with the keyed hash of the
 * CPR (never the CPR) and the evidence, invalid ones with their errors.
 * Memory stays bounded: one line, and at most COPY_FLUSH bytes of COPY rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "jc/log.h"

#define COPY_FLUSH (256 * 1024)

/* Appends `s` as one field of a COPY text-format row. */
static void copy_field(jc_buf *b, const char *s, int last)
{
        if (!s) {
                jc_buf_appends(b, "\\N");
        } else {
                for (const char *p = s; *p; p++) {
                        switch (*p) {
                        case '\\': jc_buf_append(b, "\\\\", 2); break;
                        case '\n': jc_buf_append(b, "\\n", 2); break;
                        case '\r': jc_buf_append(b, "\\r", 2); break;
                        case '\t': jc_buf_append(b, "\\t", 2); break;
                        default: jc_buf_append(b, p, 1); break;
                        }
                }
        }
        jc_buf_append(b, last ? "\n" : "\t", 1);
}

static int copy_flush(ctl_stage *st)
{
        if (!st->copying || st->copy.len == 0)
                return 0;
        if (PQputCopyData(st->db, st->copy.data, (int)st->copy.len) != 1) {
                jc_pg_err_set(&st->err, 1, "could not stage feed lines: %s",
                              PQerrorMessage(st->db));
                st->failed = 1;
                return -1;
        }
        jc_buf_reset(&st->copy);
        return 0;
}

/* One staged row; `errors` (a JSON array) or the valid record's fields. */
static int stage_row(ctl_stage *st, long line_no, const char *udk_ref, const char *hash_hex,
                     const char *evidence, const char *errors)
{
        char line[24], hash[72];

        snprintf(line, sizeof(line), "%ld", line_no);
        copy_field(&st->copy, st->feed_uuid, 0);
        copy_field(&st->copy, st->part_text, 0);
        copy_field(&st->copy, line, 0);
        copy_field(&st->copy, udk_ref, 0);
        if (hash_hex)
                snprintf(hash, sizeof(hash), "\\x%s", hash_hex);
        copy_field(&st->copy, hash_hex ? hash : NULL, 0);
        copy_field(&st->copy, evidence, 0);
        copy_field(&st->copy, errors, 1);
        return st->copy.len >= COPY_FLUSH ? copy_flush(st) : 0;
}

static int stage_error(ctl_stage *st, long line_no, const char *udk_ref, jc_verrs *v)
{
        char *errors = json_dumps(v->list, JSON_COMPACT);
        int rc;

        st->invalid++;
        if (!errors) {
                jc_pg_err_set(&st->err, 1, "out of memory");
                st->failed = 1;
                return -1;
        }
        rc = stage_row(st, line_no, udk_ref, NULL, NULL, errors);
        free(errors);
        return rc;
}

static int stage_record(ctl_stage *st, long line_no, const char *line, size_t len, int too_long)
{
        ctl_ctx *ctx = st->svc->ctx;
        ctl_feed_record rec;
        json_error_t jerr;
        json_t *obj = NULL;
        char hash[65], *evidence = NULL;
        jc_verrs v;
        int rc = -1;

        jc_verrs_init(&v);
        if (too_long) {
                jc_verrs_add(&v, "(record)", "is longer than %d bytes", CTL_FEED_MAX_LINE);
                rc = stage_error(st, line_no, NULL, &v);
                goto out;
        }
        obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj) {
                char safe[160];

                jc_json_error_safe(&jerr, safe, sizeof(safe));
                jc_verrs_add(&v, "(record)", "is not valid JSON (column %d): %s", jerr.column, safe);
                rc = stage_error(st, line_no, NULL, &v);
                goto out;
        }
        ctl_feed_record_parse(obj, st->header.theme, &rec, &v);
        if (jc_verrs_count(&v)) {
                rc = stage_error(st, line_no, rec.udk_ref, &v);
                goto out;
        }
        if (ctl_cpr_hash(ctx, rec.cpr, hash) != 0) {
                jc_pg_err_set(&st->err, 1, "could not hash a CPR number");
                st->failed = 1;
                goto out;
        }
        evidence = json_dumps(rec.evidence, JSON_COMPACT | JSON_SORT_KEYS);
        if (!evidence) {
                jc_pg_err_set(&st->err, 1, "out of memory");
                st->failed = 1;
                goto out;
        }
        rc = stage_row(st, line_no, rec.udk_ref, hash, evidence, NULL);
out:
        memset(rec.cpr, 0, sizeof(rec.cpr));
        free(evidence);
        json_decref(obj);
        jc_verrs_release(&v);
        return rc;
}

static int stage_header(ctl_stage *st, const char *line, size_t len, int too_long)
{
        json_error_t jerr;
        json_t *obj;

        if (too_long) {
                jc_verrs_add(&st->header_errors, "header", "is longer than %d bytes",
                             CTL_FEED_MAX_LINE);
                return -1;
        }
        obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj) {
                char safe[160];

                jc_json_error_safe(&jerr, safe, sizeof(safe));
                jc_verrs_add(&st->header_errors, "header",
                             "the first line must be the feed header, a JSON object (column %d: %s)",
                             jerr.column, safe);
                return -1;
        }
        ctl_feed_header_parse(obj, &st->header, &st->header_errors);
        if (jc_verrs_count(&st->header_errors)) {
                json_decref(obj);
                return -1;
        }
        st->have_header = 1;
        json_decref(obj);
        return st->on_header(st);
}

static int stage_line(void *opaque, long line_no, const char *line, size_t len, int too_long)
{
        ctl_stage *st = opaque;

        if (!too_long && ctl_line_is_blank(line, len))
                return 0;
        if (!st->have_header)
                return stage_header(st, line, len, too_long);
        st->records++;
        if (st->mode != CTL_STAGE_COPY)
                return 0;
        return stage_record(st, line_no, line, len, too_long);
}

void ctl_stage_init(ctl_stage *st, jc_service *svc, PGconn *db, ctl_header_fn on_header,
                    void *channel)
{
        memset(st, 0, sizeof(*st));
        st->svc = svc;
        st->db = db;
        st->on_header = on_header;
        st->channel = channel;
        st->mode = CTL_STAGE_HEADER;
        st->copy = (jc_buf)JC_BUF_INIT;
        st->header.target_groups = (jc_buf)JC_BUF_INIT;
        jc_verrs_init(&st->header_errors);
        ctl_lines_init(&st->lines, CTL_FEED_MAX_LINE, stage_line, st);
}

int ctl_stage_start_copy(ctl_stage *st, long long part)
{
        PGresult *r = PQexecPrepared(st->db, "ctl_stage_copy", 0, NULL, NULL, NULL, 0);

        if (PQresultStatus(r) != PGRES_COPY_IN) {
                jc_pg_err_from_result(&st->err, st->db, r);
                jc_pg_err_prefix(&st->err, "could not start staging the feed");
                PQclear(r);
                st->failed = 1;
                return -1;
        }
        PQclear(r);
        snprintf(st->part_text, sizeof(st->part_text), "%lld", part);
        st->copying = 1;
        st->mode = CTL_STAGE_COPY;
        return 0;
}

int ctl_stage_feed(ctl_stage *st, const char *data, size_t len)
{
        if (st->failed)
                return -1;
        return ctl_lines_feed(&st->lines, data, len);
}

/* Ends the COPY: returns 0 when the server took every row. */
static int copy_end(ctl_stage *st, const char *abort_msg)
{
        PGresult *r;
        int ok = 1;

        st->copying = 0;
        if (PQputCopyEnd(st->db, abort_msg) != 1)
                ok = 0;
        while ((r = PQgetResult(st->db)) != NULL) {
                if (PQresultStatus(r) != PGRES_COMMAND_OK && ok && !abort_msg) {
                        jc_pg_err_from_result(&st->err, st->db, r);
                        jc_pg_err_prefix(&st->err, "could not stage the feed");
                        ok = 0;
                }
                PQclear(r);
        }
        if (!ok && !abort_msg) {
                if (!st->err.message[0])
                        jc_pg_err_set(&st->err, 1, "could not stage the feed: %s",
                                      PQerrorMessage(st->db));
                st->failed = 1;
                return -1;
        }
        return 0;
}

int ctl_stage_finish(ctl_stage *st)
{
        if (st->failed)
                return -1;
        if (ctl_lines_finish(&st->lines) != 0)
                return -1;
        if (st->copying && (copy_flush(st) != 0 || copy_end(st, NULL) != 0))
                return -1;
        return 0;
}

void ctl_stage_release(ctl_stage *st)
{
        if (st->copying)
                copy_end(st, "feed upload aborted");
        ctl_lines_release(&st->lines);
        ctl_feed_header_release(&st->header);
        jc_verrs_release(&st->header_errors);
        jc_buf_release(&st->copy);
}
