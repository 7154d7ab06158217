"""notifications: the API's edges and the templates' start-up checks.

* A template that uses a field its trigger does not provide (or CPR), a
  malformed placeholder, half a template or a template no trigger uses makes
  the service refuse to start, naming the file and the field.
* Templates are versioned: a new version is used for new messages, and each
  message records its version.
* Malformed requests answer problem+json naming the field and store nothing;
  unknown ids are 404; every route checks its scopes; reading a case's
  letters is audited."""
import os
import shutil
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import notiftest as nt  # noqa: E402
from notiftest import jctest  # noqa: E402

TEMPLATES = os.path.join(jctest.ROOT, "services", "notifications", "templates")


class ApiTest(nt.SharedPlatformTest):

    @classmethod
    def start_services(cls):
        cls.env = {"JC_SWEEP_INTERVAL_S": "0", "JC_NOTIFY_DELIVERY_WORKERS": "1", "JC_NOTIFY_POLL_MS": "100",
                   "JC_TODAY": "2026-03-02"}
        cls.svc = cls.p.service("notifications", env=cls.env)
        cls.who = cls.ev.citizen(digital_post=True)
        cls.case_id = cls.ev.case_opened(cls.who["citizen_ref"])["data"]["case_id"]
        cls.msg = nt.wait_status(cls.p, cls.case_id, "rights_and_duties", "sent")
        cls.starts = 0

    # -- templates
    def template_dir(self, edit):
        """A copy of the built-in templates with `edit(dir)` applied."""
        type(self).starts += 1
        d = os.path.join(self.p.stack.dir, f"templates-{self.starts}")
        shutil.copytree(TEMPLATES, d)
        edit(d)
        return d

    def refused(self, edit, **env):
        """Starts the service on an edited template set (and `env`); returns
        its log once it has refused to start."""
        s = self.p.service("notifications", roles="http", wait=False, instance=self.starts + 10,
                           env=dict(self.env, JC_NOTIFY_TEMPLATES_DIR=self.template_dir(edit), **env))
        jctest.wait_until(lambda: s.proc.poll() is not None, 30, "the service to refuse to start")
        self.assertNotEqual(s.proc.returncode, 0)
        self.assertNotIn("service started", s.log_text())
        return s.log_text()

    @staticmethod
    def append(path, text):
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)

    def test_10_a_placeholder_the_trigger_does_not_provide_is_refused_at_start(self):
        log = self.refused(lambda d: self.append(os.path.join(d, "meeting_invitation.v1.html"),
                                                 "<p>{{ room_number }}</p>\n"))
        self.assertIn('template meeting_invitation.v1.html references field \\"room_number\\", which trigger '
                      'meeting.booked.v1 does not provide', log)
        self.assertIn("meeting_date", log)  # it says what the trigger does provide

    def test_11_cpr_is_not_a_field_so_no_template_can_print_it(self):
        def edit(d):
            shutil.copy(os.path.join(d, "offer_letter.v1.html"), os.path.join(d, "offer_letter.v2.html"))
            with open(os.path.join(d, "offer_letter.v2.txt"), "w", encoding="utf-8") as f:
                f.write("Emne: Dit tilbud\n\nKære {{name}}, CPR {{cpr}}\n")
        log = self.refused(edit)
        self.assertIn('template offer_letter.v2.txt references field \\"cpr\\", which trigger offer.assigned.v1',
                      log)

    def test_12_malformed_incomplete_and_unknown_templates_are_refused(self):
        log = self.refused(lambda d: self.append(os.path.join(d, "meeting_reminder.v1.txt"),
                                                 "Husk {{ meeting_date kl. {{meeting_time}}\n"))
        with open(os.path.join(TEMPLATES, "meeting_reminder.v1.txt"), encoding="utf-8") as f:
            line = f.read().count("\n") + 1  # the appended line
        self.assertIn(f"template meeting_reminder.v1.txt: line {line}: malformed placeholder", log)
        log = self.refused(lambda d: os.remove(os.path.join(d, "rights_and_duties.v1.html")))
        self.assertIn("template rights_and_duties.v1 needs both a .txt and an .html file", log)
        log = self.refused(lambda d: shutil.copy(os.path.join(d, "offer_letter.v1.txt"),
                                                 os.path.join(d, "welcome.v1.txt")))
        self.assertIn('template file welcome.v1.txt: no trigger uses a template \\"welcome\\"', log)
        def no_subject(d):
            with open(os.path.join(d, "sanction_hearing.v1.txt"), "w", encoding="utf-8") as f:
                f.write("Partshøring\n{{name}}\n")
        log = self.refused(no_subject)
        self.assertIn('template sanction_hearing.v1.txt must start with a line \\"Emne: <subject>\\"', log)

    def test_14_a_channel_url_it_cannot_use_is_refused_at_start(self):
        log = self.refused(lambda d: None, JC_NOTIFY_SMS_URL="https://sms.example.org/send")
        self.assertIn("JC_NOTIFY_SMS_URL must be an http:// URL", log)

    def test_13_a_new_template_version_is_used_for_new_messages(self):
        def edit(d):
            for ext in ("txt", "html"):
                with open(os.path.join(d, f"rights_and_duties.v1.{ext}"), encoding="utf-8") as f:
                    text = f.read()
                with open(os.path.join(d, f"rights_and_duties.v2.{ext}"), "w", encoding="utf-8") as f:
                    f.write(text.replace("Dine rettigheder og pligter", "Velkommen: dine rettigheder og pligter"))
        self.assertEqual(self.svc.stop(), [])
        type(self).svc = self.p.service("notifications", instance=1,
                                        env=dict(self.env, JC_NOTIFY_TEMPLATES_DIR=self.template_dir(edit)))
        case2 = self.ev.case_opened(self.who["citizen_ref"])["data"]["case_id"]
        msg = nt.wait_status(self.p, case2, "rights_and_duties", "sent")
        self.assertEqual(msg["subject"], "Velkommen: dine rettigheder og pligter")
        versions = self.p.stack.sql("SELECT case_id::text, template_version FROM notifications.message"
                                    " WHERE template = 'rights_and_duties' AND case_id IN (%s, %s)",
                                    (self.case_id, case2))
        self.assertEqual(dict(versions), {self.case_id: 1, case2: 2})
        r = self.svc.call("GET", f"/v1/messages/{msg['message_id']}", scope="caseworker")
        self.assertEqual(r.json["template_version"], 2)

    # -- requests
    def counts(self):
        return self.p.stack.sql("SELECT (SELECT count(*) FROM notifications.message),"
                                " (SELECT count(*) FROM notifications.audit_read),"
                                " (SELECT count(*) FROM notifications.delivery_attempt),"
                                " (SELECT sum(resends) FROM notifications.message)")[0]

    def test_20_malformed_requests_name_the_field_and_store_nothing(self):
        cid, mid = self.case_id, self.msg["message_id"]
        cases = [
            ("GET", "/v1/cases/not-a-uuid/messages", "caseworker", "case_id"),
            ("GET", f"/v1/cases/{cid}/messages?limit=0", "caseworker", "limit"),
            ("GET", f"/v1/cases/{cid}/messages?limit=501", "caseworker", "limit"),
            ("GET", f"/v1/cases/{cid}/messages?limit=ten", "caseworker", "limit"),
            ("GET", f"/v1/cases/{cid}/messages?limit=", "caseworker", "limit"),
            ("GET", f"/v1/cases/{cid}/messages?cursor=abc", "caseworker", "cursor"),
            ("GET", f"/v1/cases/{cid}/messages?cursor=-5", "caseworker", "cursor"),
            ("GET", "/v1/messages?status=lost", "admin", "status"),
            ("GET", "/v1/messages?status=failed&limit=9999", "caseworker", "limit"),
            ("GET", "/v1/messages/123", "caseworker", "message_id"),
            ("GET", "/v1/messages/" + mid[:-1] + "g", "admin", "message_id"),
            ("POST", "/v1/messages/xyz/resend", "admin", "message_id"),
            ("GET", "/v1/caseworkers/cw%20ole/reminders", "caseworker", "caseworker_id"),
            ("GET", "/v1/caseworkers/" + "x" * 65 + "/reminders", "caseworker", "caseworker_id"),
            ("GET", "/v1/caseworkers/cw-1/reminders?cursor=1.5", "caseworker", "cursor"),
            ("POST", "/v1/admin/sweep?today=2026-13-01", "admin", "today"),
        ]
        before = self.counts()
        for method, path, scope, field in cases:
            r = self.svc.call(method, path, scope=scope)
            self.assertEqual(r.status, 422, f"{method} {path}: {r}")
            self.assertTrue(r.headers["content-type"].startswith("application/problem+json"), path)
            self.assertEqual([e["field"] for e in r.json["errors"]][:1], [field], f"{method} {path}: {r}")
        # several bad parameters are all named at once
        r = self.svc.call("GET", "/v1/messages?status=x&limit=0&cursor=z", scope="admin")
        self.assertEqual(sorted(e["field"] for e in r.json["errors"]), ["cursor", "limit", "status"])
        # unknown ids
        unknown = str(uuid.uuid4())
        for method, path, scope in (("GET", f"/v1/cases/{unknown}/messages", "caseworker"),
                                    ("GET", f"/v1/messages/{unknown}", "caseworker"),
                                    ("POST", f"/v1/messages/{unknown}/resend", "admin")):
            r = self.svc.call(method, path, scope=scope)
            self.assertEqual((r.status, r.json["type"]), (404, "urn:jobcenter:problem:not-found"), path)
        # a message that did not fail cannot be resent
        r = self.svc.call("POST", f"/v1/messages/{mid}/resend", scope="admin")
        self.assertEqual((r.status, r.json["errors"][0]["field"]), (409, "status"))
        self.assertIn("only a failed message can be resent; this one is sent", r.json["detail"])
        self.assertEqual(self.counts(), before)

    def test_30_every_route_checks_its_scopes(self):
        cid, mid = self.case_id, self.msg["message_id"]
        routes = [("GET", f"/v1/cases/{cid}/messages", {"caseworker"}),
                  ("GET", "/v1/messages?status=sent", {"caseworker", "admin"}),
                  ("GET", f"/v1/messages/{mid}", {"caseworker", "admin"}),
                  ("POST", f"/v1/messages/{mid}/resend", {"admin"}),
                  ("GET", "/v1/caseworkers/cw-1/reminders", {"caseworker", "admin"}),
                  ("POST", "/v1/admin/sweep?today=2026-03-02", {"admin"})]
        for method, path, allowed in routes:
            r = self.svc.call(method, path)
            self.assertEqual(r.status, 401, f"{method} {path} without a token")
            r = self.svc.call(method, path, token="jctest-not-a-real-token")
            self.assertEqual(r.status, 401, f"{method} {path} with an unknown token")
            for scope in ("caseworker", "admin", "portal", "akasse:3F", "udk:feed"):
                r = self.svc.call(method, path, scope=scope)
                if scope in allowed:
                    # allowed: anything but 401/403 (the resend of a sent message is 409)
                    self.assertNotIn(r.status, (401, 403), f"{method} {path} as {scope}: {r}")
                else:
                    self.assertEqual(r.status, 403, f"{method} {path} as {scope}: {r}")

    def test_40_reading_a_cases_letters_is_audited(self):
        n = self.p.stack.scalar("SELECT count(*) FROM notifications.audit_read")
        r = self.svc.call("GET", f"/v1/cases/{self.case_id}/messages", scope="caseworker",
                          headers={"X-Purpose": "klagesag"})
        self.assertEqual(r.status, 200, r)
        self.assertIn(f"Kære {self.who['name']}", r.json["messages"][0]["text"])
        rows = self.p.stack.sql("SELECT principal, citizen_ref::text, case_id::text, purpose, route"
                                " FROM notifications.audit_read ORDER BY id")
        self.assertEqual(len(rows), n + 1)
        self.assertEqual(rows[-1], ("test-caseworker", self.who["citizen_ref"], self.case_id, "klagesag",
                                    f"/v1/cases/{self.case_id}/messages"))
        # the status view and the lists carry no letter text: not audited
        self.svc.call("GET", f"/v1/messages/{self.msg['message_id']}", scope="caseworker")
        self.svc.call("GET", "/v1/messages?status=sent", scope="caseworker")
        self.assertEqual(self.p.stack.scalar("SELECT count(*) FROM notifications.audit_read"), n + 1)

    def test_41_lists_page_with_a_cursor(self):
        for _ in range(3):
            self.ev.offer_assigned(self.case_id, self.who["citizen_ref"])
        jctest.wait_until(lambda: len([m for m in nt.messages(self.p, self.case_id)
                                       if m["template"] == "offer_letter" and m["status"] == "sent"]) == 3,
                          30, "three offer letters")
        seen, cursor = [], None
        while True:
            r = self.svc.call("GET", f"/v1/cases/{self.case_id}/messages?limit=2"
                              + (f"&cursor={cursor}" if cursor else ""), scope="caseworker")
            self.assertEqual(r.status, 200, r)
            seen += [m["message_id"] for m in r.json["messages"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, [m["message_id"] for m in nt.messages(self.p, self.case_id)])
        self.assertEqual(len(seen), 4)


if __name__ == "__main__":
    jctest.main()
