/* libFuzzer target: an Udbetaling Danmark campaign feed as control reads it
 * over HTTP and Kafka: the bounded-memory line splitter fed in uneven chunks,
 * the first line as the header, every further line as a record of the
 * header's theme (JSON without duplicate keys, then every field check). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_feed {
        ctl_feed_header header;
        int have_header;
} fuzz_feed;

static int on_line(void *opaque, long line_no, const char *line, size_t len, int too_long)
{
        fuzz_feed *f = opaque;
        json_error_t jerr;
        json_t *obj;
        jc_verrs v;

        (void)line_no;
        if (too_long || ctl_line_is_blank(line, len))
                return 0;
        obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj)
                return 0;
        jc_verrs_init(&v);
        if (json_is_object(obj)) {
                if (!f->have_header) {
                        ctl_feed_header_parse(obj, &f->header, &v);
                        f->have_header = 1;
                } else {
                        ctl_feed_record r;

                        ctl_feed_record_parse(obj, f->header.theme[0] ? f->header.theme : "adresse", &r, &v);
                        memset(r.cpr, 0, sizeof(r.cpr));
                }
        }
        json_decref(jc_verrs_take(&v));
        jc_verrs_release(&v);
        json_decref(obj);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_feed f;
        ctl_lines lines;
        size_t off = 0, chunk = size ? (size_t)data[0] % 97 + 1 : 1;

        memset(&f, 0, sizeof(f));
        ctl_lines_init(&lines, 16384, on_line, &f);
        while (off < size) {
                size_t n = size - off < chunk ? size - off : chunk;

                if (ctl_lines_feed(&lines, (const char *)data + off, n) != 0)
                        break;
                off += n;
        }
        ctl_lines_finish(&lines);
        ctl_lines_release(&lines);
        if (f.have_header)
                ctl_feed_header_release(&f.header);
        return 0;
}
