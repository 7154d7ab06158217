/*
 * A citizen's contact data (Digital Post, e-mail, phone, postal address):
 * the one parser for case registrations and handovers, and the one JSON
 * shape for the API and citizen.upserted.v1.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"

static const char *const address_fields[] = {"street", "postcode", "city", NULL};

void intake_contact_parse(json_t *body, intake_contact *c, jc_verrs *v)
{
        json_t *addr;

        memset(c, 0, sizeof(*c));
        c->digital_post = 1;
        jc_v_bool(body, NULL, "digital_post", 0, &c->digital_post, v);
        c->email = jc_v_str(body, NULL, "email", 0, 3, 254, v);
        if (c->email && !strchr(c->email, '@'))
                jc_verrs_add(v, "email", "must be an e-mail address");
        c->phone = jc_v_str(body, NULL, "phone", 0, 8, 20, v);
        if (c->phone && strspn(c->phone, "+0123456789 ") != strlen(c->phone))
                jc_verrs_add(v, "phone", "may contain only digits, spaces and a leading +");
        addr = jc_v_object(body, NULL, "address", 0, v);
        if (!addr)
                return;
        jc_v_no_unknown(addr, "address", address_fields, v);
        c->street = jc_v_str(addr, "address", "street", 1, 1, 200, v);
        c->postcode = jc_v_str(addr, "address", "postcode", 1, 4, 4, v);
        if (c->postcode && strspn(c->postcode, "0123456789") != 4)
                jc_verrs_add(v, "address.postcode", "must be a Danish postcode: 4 digits");
        c->city = jc_v_str(addr, "address", "city", 1, 1, 100, v);
}

/* NULL for a NULL column. */
static const char *col(const PGresult *r, int row, int c)
{
        return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

/* Caller decrefs. */
static json_t *contact_json(const intake_contact *c)
{
        json_t *out = json_pack("{s:b, s:s*, s:s*}", "digital_post", c->digital_post, "email",
                                c->email, "phone", c->phone);

        if (out && c->street)
                json_object_set_new(out, "address",
                                    json_pack("{s:s, s:s, s:s}", "street", c->street, "postcode",
                                              c->postcode, "city", c->city));
        return out;
}

json_t *intake_contact_from_row(const PGresult *r, int row)
{
        intake_contact c = {
                .digital_post = strcmp(PQgetvalue(r, row, 3), "t") == 0,
                .email = col(r, row, 4),
                .phone = col(r, row, 5),
                .street = col(r, row, 7),
                .postcode = col(r, row, 8),
                .city = col(r, row, 9),
        };

        return contact_json(&c);
}
