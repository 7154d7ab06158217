/*
 * What both ports share: collecting a request body, JSON replies, freeing
 * the request.
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "postreceiver.h"

int pr_collect(void **req_cls, const char *upload_data, size_t *upload_data_size, size_t limit,
               pr_req **out)
{
        pr_req *req = *req_cls;

        if (!req) {
                req = calloc(1, sizeof(*req));
                if (!req)
                        return -1;
                req->body = (jc_buf)JC_BUF_INIT;
                *req_cls = req;
                return 0;
        }
        if (*upload_data_size) {
                if (req->body.len + *upload_data_size > limit ||
                    jc_buf_append(&req->body, upload_data, *upload_data_size) != 0)
                        req->too_large = 1;
                *upload_data_size = 0;
                return 0;
        }
        *out = req;
        return 1;
}

enum MHD_Result pr_reply(struct MHD_Connection *conn, int status, json_t *body)
{
        char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
        struct MHD_Response *resp;
        enum MHD_Result rc;

        json_decref(body);
        if (!text)
                return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(text);
                return MHD_NO;
        }
        MHD_add_response_header(resp, "Content-Type", "application/json");
        rc = MHD_queue_response(conn, (unsigned)status, resp);
        MHD_destroy_response(resp);
        return rc;
}

void pr_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                  enum MHD_RequestTerminationCode toe)
{
        pr_req *req = *req_cls;

        (void)cls;
        (void)conn;
        (void)toe;
        if (req) {
                jc_buf_release(&req->body);
                free(req);
        }
        *req_cls = NULL;
}
