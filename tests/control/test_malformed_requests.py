"""A corpus of malformed requests to control: every one answers
application/problem+json naming the failing fields where there are any, never
echoes a submitted value, and stores nothing anywhere (rows counted in every
table of schema control before and after)."""
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import controltest  # noqa: E402
from controltest import header, jctest, ndjson, record  # noqa: E402

U = "00000000-0000-4000-8000-0000000000aa"
J = {"Content-Type": "application/json"}
N = controltest.NDJSON


class MalformedRequestTest(controltest.ControlTest):
    CONTROL_ENV = {"JC_FEED_MAX_BYTES": "20000", "JC_HTTP_MAX_BODY": "16384"}

    def test_corpus_of_malformed_requests_stores_nothing(self):
        p = self.p
        cpr = p.cpr()
        good = record("R1", cpr)

        def h(**kw):
            hd = header(record_count=1)
            for k, v in kw.items():
                if v is None:
                    hd.pop(k)
                else:
                    hd[k] = v
            return ndjson(hd, good)

        F, CW = "udk:feed", "caseworker"
        cc = "/v1/control-cases"
        sp = "/v1/sanction-proposals"
        corpus = [
            # (method, path, scope, body (dict: JSON, bytes: raw), headers, status, fields)
            ("POST", "/v1/campaign-feeds", F, b"{bad\n" + json.dumps(good).encode(), N, 422, ["header"]),
            ("POST", "/v1/campaign-feeds", F, ndjson({"format": "udk-campaign.v1"}, good), N, 422,
             ["header.campaign_id", "header.feed_id", "header.kind", "header.period", "header.record_count",
              "header.theme"]),
            ("POST", "/v1/campaign-feeds", F, h(format="udk-campaign.v2"), N, 422, ["header.format"]),
            ("POST", "/v1/campaign-feeds", F, h(theme="stays_abroad"), N, 422, ["header.theme"]),
            ("POST", "/v1/campaign-feeds", F, h(kind="audit"), N, 422, ["header.kind"]),
            ("POST", "/v1/campaign-feeds", F, h(period={"from": "2026-06-01", "to": "2026-01-01"}), N, 422,
             ["header.period.to"]),
            ("POST", "/v1/campaign-feeds", F, h(period={"from": "2026-02-30", "to": "2026-06-01"}), N, 422,
             ["header.period.from"]),
            ("POST", "/v1/campaign-feeds", F, h(period={"from": "2026-01-01", "to": "2026-06-01", "x": 1}), N, 422,
             ["header.period.x"]),
            ("POST", "/v1/campaign-feeds", F, h(record_count=-1), N, 422, ["header.record_count"]),
            ("POST", "/v1/campaign-feeds", F, h(record_count="1"), N, 422, ["header.record_count"]),
            ("POST", "/v1/campaign-feeds", F, h(campaign_id="UDK 2026"), N, 422, ["header.campaign_id"]),
            ("POST", "/v1/campaign-feeds", F, h(campaign_id="-UDK"), N, 422, ["header.campaign_id"]),
            ("POST", "/v1/campaign-feeds", F, h(feed_id="F" * 65), N, 422, ["header.feed_id"]),
            ("POST", "/v1/campaign-feeds", F, h(extra=1), N, 422, ["header.extra"]),
            ("POST", "/v1/campaign-feeds", F, h(target_groups=[]), N, 422, ["header.target_groups"]),
            ("POST", "/v1/campaign-feeds", F, h(target_groups=["dagpenge"]), N, 422, ["header.target_groups[0]"]),
            ("POST", "/v1/campaign-feeds", F, h(part=1), N, 422, ["header.parts"]),
            ("POST", "/v1/campaign-feeds", F, h(part=1, parts=2), N, 422, ["header.parts"]),
            ("POST", "/v1/campaign-feeds", F, h(part=3, parts=2), N, 422, ["header.part"]),
            ("POST", "/v1/campaign-feeds", F, h(produced_at="yesterday"), N, 422, ["header.produced_at"]),
            ("POST", "/v1/campaign-feeds", F, h(theme=None, kind=None, record_count=None), N, 422,
             ["header.kind", "header.record_count", "header.theme"]),
            ("POST", "/v1/campaign-feeds", F, b"", N, 422, ["header"]),
            ("POST", "/v1/campaign-feeds", F, b"\n\n  \r\n", N, 422, ["header"]),
            ("POST", "/v1/campaign-feeds", F, b"[1, 2]\n", N, 422, ["header"]),
            ("POST", "/v1/campaign-feeds", F, b"\"" + cpr.encode() + b"\"\n", N, 422, ["header"]),
            ("POST", "/v1/campaign-feeds", F, b" " * 17000 + b"x\n", N, 422, ["header"]),
            ("POST", "/v1/campaign-feeds", F, h(), {"Content-Type": "text/plain"}, 415, []),
            ("POST", "/v1/campaign-feeds", F, h(), J, 415, []),
            ("POST", "/v1/campaign-feeds", F, h() + b" " * 30000, N, 413, []),
            ("POST", "/v1/campaign-feeds", CW, h(), N, 403, []),
            ("POST", "/v1/campaign-feeds", None, h(), N, 401, []),
            ("GET", "/v1/campaign-feeds", F, None, None, 405, []),
            ("GET", "/v1/campaigns?limit=999&cursor=a%20b", "admin", None, None, 422, ["cursor", "limit"]),
            ("GET", "/v1/campaigns/UDK%202026", "admin", None, None, 422, ["campaign_id"]),
            ("GET", "/v1/campaigns/UDK/feeds/F1/errors?limit=0&cursor=1", F, None, None, 422, ["cursor", "limit"]),
            ("GET", "/v1/campaigns/UDK/feeds/F%201", F, None, None, 422, ["feed_id"]),
            ("POST", cc, CW, {}, None, 422, ["case_id", "theme"]),
            ("POST", cc, CW, {"case_id": cpr, "theme": "snyd", "reason": "x" * 4001}, None, 422,
             ["case_id", "reason", "theme"]),
            ("POST", cc, CW, {"case_id": U, "theme": "andet", "cpr": cpr}, None, 422, ["cpr"]),
            ("POST", cc, CW, {"case_id": U, "theme": "andet"}, {"Idempotency-Key": ""}, 422, ["Idempotency-Key"]),
            ("POST", cc, CW, {"case_id": U, "theme": "andet"}, None, 404, ["case_id"]),
            ("POST", cc, CW, b"{", J, 400, ["(body)"]),
            ("POST", cc, CW, b'{"theme":"andet","theme":"adresse"}', J, 400, ["(body)"]),
            ("POST", cc, CW, b"[]", J, 400, ["(body)"]),
            ("POST", cc, CW, b"{" + b" " * 17000 + b"}", J, 413, []),
            ("DELETE", cc, CW, None, None, 405, []),
            ("GET", f"{cc}?status=pending&limit=0&cursor=x_y", CW, None, None, 422, ["cursor", "limit", "status"]),
            ("GET", f"{cc}?case_id=123", CW, None, None, 422, ["case_id"]),
            ("GET", f"{cc}/not-a-uuid", CW, None, None, 422, ["control_case_id"]),
            ("POST", f"{cc}/{U}/evidence", CW, {"kind": "rumour", "received_on": "2099-01-01"}, None, 422,
             ["description", "kind", "received_on"]),
            ("POST", f"{cc}/{U}/notes", CW, {}, None, 422, ["text"]),
            ("POST", f"{cc}/{U}/notes", CW, {"text": "ok"}, None, 404, []),
            ("POST", f"{cc}/{U}/outcome", CW, {"outcome": "jail"}, None, 422, ["outcome"]),
            ("POST", f"{cc}/{U}/outcome", CW, {"outcome": "no_basis", "repayment_dkk": 10}, None, 422,
             ["repayment_dkk"]),
            ("POST", f"{cc}/{U}/outcome", CW, {"outcome": "repayment_claim", "repayment_dkk": "10"}, None, 422,
             ["repayment_dkk"]),
            ("POST", f"{cc}/{U}/close", CW, {"outcome": "no_basis"}, None, 422, ["outcome"]),
            ("GET", f"{sp}?status=nope&case_id=x", CW, None, None, 422, ["case_id", "status"]),
            ("POST", f"{sp}/{U}/decision", CW, {}, None, 422, ["decision"]),
            ("POST", f"{sp}/{U}/decision", CW, {"decision": "reject"}, None, 422, ["reason"]),
            ("POST", f"{sp}/{U}/decision", CW, {"decision": "approve", "reason": "x" * 2001}, None, 422, ["reason"]),
            ("POST", f"{sp}/{U}/decision", CW, {"decision": "approve"}, None, 404, []),
            ("POST", f"{sp}/{U}/amount-basis", CW, {"monthly_benefit_dkk": -1}, None, 422, ["monthly_benefit_dkk"]),
            ("POST", f"{sp}/{U}/amount-basis", CW, {"monthly_benefit_dkk": 100.5}, None, 422, ["monthly_benefit_dkk"]),
            ("POST", f"{sp}/{U}/hearing-response", CW, {"received_on": "2099-01-01"}, None, 422,
             ["received_on", "summary"]),
            ("POST", f"{sp}/bad/hearing-response", CW, {"received_on": "2026-01-01", "summary": "x"}, None, 422,
             ["proposal_id"]),
            ("PUT", f"/v1/cases/{U}/benefit-basis", CW, {"monthly_benefit_dkk": "11000"}, None, 422,
             ["monthly_benefit_dkk"]),
            ("PUT", "/v1/cases/x/benefit-basis", CW, {"monthly_benefit_dkk": 11000}, None, 422, ["case_id"]),
            ("PUT", f"/v1/cases/{U}/benefit-basis", CW, {"monthly_benefit_dkk": 11000}, None, 404, []),
            ("PUT", f"/v1/akasse-reports/{U}/akasse", CW, {"akasse": "-3F"}, None, 422, ["akasse"]),
            ("GET", "/v1/akasse-reports?status=sent", CW, None, None, 422, ["status"]),
            ("GET", "/v1/no-shows?consequence=jail&limit=x", CW, None, None, 422, ["consequence", "limit"]),
            ("POST", f"/v1/cases/{U}/availability-doubts", CW, {"observed_on": "2099-01-01", "note": ""}, None, 422,
             ["note", "observed_on"]),
            ("POST", f"/v1/cases/{U}/availability-doubts", CW, {"observed_on": "2026-01-01"}, None, 404, []),
            ("POST", f"/v1/availability-courses/{U}/assessment", CW, {"outcome": "maybe"}, None, 422, ["outcome"]),
            ("GET", "/v1/availability-courses?status=closed", CW, None, None, 422, ["status"]),
            ("POST", "/v1/admin/sweep?today=2026-13-01", "admin", None, None, 422, ["today"]),
            ("GET", "/v1/../etc/passwd", CW, None, None, 404, []),
        ]
        self.assertGreaterEqual(len(corpus), 60)
        before = self.counts()
        for i, (method, path, scope, body, headers, status, fields) in enumerate(corpus):
            kw = {"headers": headers}
            if isinstance(body, bytes):
                kw["raw"] = body
            elif body is not None:
                kw["body"] = body
            r = self.control.call(method, path, scope=scope, **kw)
            what = f"#{i} {method} {path} -> {r}"
            self.assertEqual(r.status, status, what)
            self.assertEqual(r.headers.get("content-type"), "application/problem+json", what)
            self.assertEqual(r.json["status"], status, what)
            self.assertEqual(sorted(e["field"] for e in r.json.get("errors", [])), sorted(fields), what)
            self.assertNotIn(cpr, r.body, what)
        # A chunked upload over JC_FEED_MAX_BYTES: 413 after the body, nothing kept.
        conn = http.client.HTTPConnection("127.0.0.1", self.control.port, timeout=60)
        conn.request("POST", "/v1/campaign-feeds", body=iter([h()] + [b" " * 8000] * 4), encode_chunked=True,
                     headers={"Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked",
                              "Authorization": "Bearer " + p.token("udk:feed")})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 413)
        resp.read()
        conn.close()
        self.assertEqual(self.counts(), before, "a malformed request stored something")
        # The service goes on.
        self.assertEqual(self.upload(h()).status, 201)
        print(f"\n  {len(corpus) + 1} malformed requests, nothing stored", file=sys.stderr)


if __name__ == "__main__":
    jctest.main()
