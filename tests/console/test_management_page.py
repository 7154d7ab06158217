"""The management page in a real browser (Debian's headless Chromium): on a
population whose figures are known by construction, the page shows STAR's
sickness-benefit measure (share, breach, counts), the overdue list and the
caseload per caseworker; the screenshot is checked for the red breach badge
and for not being blank, and kept in tests/out for a person to look at. The
console forwards only its fixed GET list (anything else is 404) and never
hands out its token."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import jctest  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TODAY = "2026-11-20"


def slot(day, i):
    """The i-th half hour from 09:00 on a day (all before noon)."""
    minute = 9 * 60 + 30 * i
    return f"{day}T{minute // 60:02d}:{minute % 60:02d}:00+01:00"


class ManagementPageTest(jctest.PlatformTest):

    def browser(self, url, *args):
        return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                               "--virtual-time-budget=20000", "--window-size=1400,1800", *args, url],
                              capture_output=True, timeout=120 * jctest.SLOW)

    def test_page_shows_the_measures_lists_and_caseloads(self):
        self.assertTrue(os.path.exists(CHROMIUM), "chromium is not installed (scripts/bootstrap.sh installs it)")
        env = {"JC_TODAY": TODAY, "JC_SWEEP_INTERVAL_S": "0"}
        intake = self.p.service("intake", env=env)
        sched = self.p.service("scheduling", env=env)
        admin = {"scope": "admin"}
        intake.call("PUT", "/v1/teams/team-syg", body={"name": "Syg"}, **admin)
        intake.call("PUT", "/v1/caseworkers/cw-syg-1", body={
            "name": "Sara Sagsbehandler", "team_id": "team-syg", "target_groups": ["sygedagpenge-beskaeftiget"]},
            **admin)
        # Ten cases reach six months' seniority in the month up to 20 Nov: seven had
        # four meetings, three only two (share 30 %, a breach).
        cases = []
        for d in range(4, 14):
            r = intake.call("POST", "/v1/cases", scope="caseworker", body={
                "cpr": self.p.cpr(), "name": self.p.name(), "target_group": "sygedagpenge-beskaeftiget",
                "visitation": "sygedagpenge-kategori-2", "start_date": f"2026-05-{d:02d}"})
            self.assertEqual(r.status, 201, r)
            cases.append(r.json["case_id"])
        for c in cases:
            jctest.wait_until(lambda c=c: sched.call("GET", f"/v1/cases/{c}/obligations",
                                                     scope="caseworker").status == 200, 30, "scheduling")
        days = ["2026-06-02", "2026-07-07", "2026-08-04", "2026-09-01"]
        for n, c in enumerate(cases):
            for k, day in enumerate(days[:4 if n < 7 else 2]):
                r = sched.call("POST", f"/v1/cases/{c}/meetings", scope="caseworker",
                               body={"starts_at": slot(day, n), "channel": "phone", "outcome": "held"})
                self.assertEqual(r.status, 201, r)
        token_file = os.path.join(self.p.stack.dir, "console-token")
        with open(token_file, "w") as f:
            f.write(self.p.token("caseworker") + "\n")
        port = jctest.free_port()
        log = open(os.path.join(self.p.log_dir, "console.log"), "w")
        console = subprocess.Popen([os.path.join(jctest.BUILD, "tools", "console", "jc-console")], env=dict(
            os.environ, JC_CONSOLE_PORT=str(port), JC_CONSOLE_TOKEN_FILE=token_file,
            JC_CONSOLE_INTAKE_URL=f"http://127.0.0.1:{intake.port}",
            JC_CONSOLE_SCHEDULING_URL=f"http://127.0.0.1:{sched.port}",
            JC_CONSOLE_OFFERS_URL="http://127.0.0.1:9"), stdout=log, stderr=subprocess.STDOUT)
        try:
            def up():
                try:
                    return jctest.http("GET", port, "/healthz").status == 200
                except OSError:
                    return console.poll() is not None
            jctest.wait_until(up, 30 * jctest.SLOW, "console")
            self.assertIsNone(console.poll(), "jc-console exited at start")
            # the console's API: fixed list, GET only, no token needed or leaked
            r = jctest.http("GET", port, "/api/measures/timeliness?target_group=sygedagpenge-beskaeftiget")
            self.assertEqual((r.status, r.json["population"], r.json["short_of_required"]), (200, 10, 3))
            self.assertEqual(jctest.http("GET", port, "/api/citizens").status, 404)
            self.assertEqual(jctest.http("POST", port, "/api/obligations", body={}).status, 405)
            self.assertNotIn(self.p.token("caseworker"), jctest.http("GET", port, "/").body)
            r = jctest.http("GET", port, "/api/measures/active-offer?target_group=a-dagpenge")
            self.assertEqual((r.status, r.json["type"]), (503, "urn:jobcenter:problem:unavailable"))

            url = f"http://127.0.0.1:{port}/"
            dom = self.browser(url, "--dump-dom").stdout.decode()
            figures = dict(re.findall(r'data-figure="([a-z0-9-]+)"[^>]*>([^<]*)<', dom))
            self.assertIn('data-loaded="true"', dom, dom[-2000:])
            self.assertEqual(figures["m1-share"], "30,0 %")
            self.assertEqual((figures["m1-short"], figures["m1-population"]), ("3", "10"))
            self.assertEqual(figures["m1-breach"], "Over grænsen på 20 %")
            self.assertEqual((figures["m2-share"], figures["m2-population"]), ("ikke tilgængelig", "–"))  # no offers here
            overdue = int(figures["overdue-count"].rstrip("+"))
            self.assertGreaterEqual(overdue, 3)
            self.assertEqual(figures["caseworkers-count"], "1")
            self.assertIn("Sara Sagsbehandler", dom)
            self.assertRegex(dom, r"<svg[^>]*viewBox")                     # the chart was drawn
            self.assertEqual(len(re.findall(r"<polyline", dom)), 1)        # one series (no offers)

            shot = os.path.join(jctest.OUT, "management-page.png")
            if os.path.exists(shot):
                os.unlink(shot)
            self.browser(url, f"--screenshot={shot}")
            from PIL import Image
            img = Image.open(shot).convert("RGB")
            self.assertEqual(img.size, (1400, 1800))
            colours = img.getcolors(maxcolors=1 << 20)
            self.assertGreater(len(colours), 50, "the screenshot is blank")
            red = sum(n for n, (r, g, b) in colours if abs(r - 0xc6) < 12 and abs(g - 0x28) < 12 and abs(b - 0x28) < 12)
            self.assertGreater(red, 500, "no red breach badge in the screenshot")
        finally:
            console.terminate()
            self.assertEqual(console.wait(30), 0)
            log.close()
        with open(os.path.join(self.p.log_dir, "console.log")) as f:
            self.assertNotIn(self.p.token("caseworker"), f.read())


if __name__ == "__main__":
    jctest.main()
