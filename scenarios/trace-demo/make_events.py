#!/usr/bin/env python3
"""Writes events.csv for the trace-demo scenario (see scenario.toml).

Deterministic: no randomness, so running it again gives the same file. Day numbers
are relative to the scenario's start (2026-01-01 = day 0); negative days are the
history before the simulation starts.

    python3 scenarios/trace-demo/make_events.py   # rewrites events.csv beside it
"""

import datetime as dt
import hashlib
import os

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
LAST_DAY = 59  # the scenario reports days 0..59

rows = []  # (instant, sequence, csv line)


def at(day, hour, minute=0):
    return START + dt.timedelta(days=day, hours=hour, minutes=minute)


def digest(repo, name):
    return "sha256:" + hashlib.sha256(f"{repo}@{name}".encode()).hexdigest()


def event(t, kind, repo="", image="", tags="", supported=""):
    d = digest(repo, image) if image else ""
    line = f"{t.strftime('%Y-%m-%dT%H:%M:%SZ')},{kind},{repo},{d},{tags},{supported}"
    rows.append((t, len(rows), line))


def push(t, repo, image, tags, supported="true"):
    event(t, "push", repo, image, tags, supported)


# prod/api: a release every 4 days since mid-October, tagged latest + v1.N.0. The newest
# release is deployed: pulled right after the push and every morning (node scaling), and
# seen in use by ECS every day. Lifecycle keeps the 10 newest v* images.
releases = []
for k, day in enumerate(range(-78, LAST_DAY + 1, 4)):
    name = f"api-v1.{k}.0"
    releases.append((day, name))
    push(at(day, 10), "prod/api", name, f"latest;v1.{k}.0")
    event(at(day, 10, 30), "pull", "prod/api", name)


def deployed(rel, day):
    """The newest release pushed before `day`'s morning."""
    return [n for d, n in rel if d < day][-1]


for day in range(-20, LAST_DAY + 1):
    name = deployed(releases, day)
    event(at(day, 6), "pull", "prod/api", name)
    event(at(day, 12), "in_use", "prod/api", name)
# A rollback on day 47 to the release of day 10: it expired at the end of day 40 (pushed
# over 30 days ago, last pulled on day 14) but is still kept by the lifecycle; the pull
# revives it (pull window DAYS_14): a rescan.
rollback = [n for d, n in releases if d == 10][0]
event(at(47, 15), "pull", "prod/api", rollback)
event(at(47, 15, 5), "in_use", "prod/api", rollback)

# prod/web: a weekly release (latest + v2.N.0), pulled on deploy and every other day.
web = []
for k, day in enumerate(range(-75, LAST_DAY + 1, 7)):
    name = f"web-v2.{k}.0"
    web.append((day, name))
    push(at(day, 14), "prod/web", name, f"latest;v2.{k}.0")
    event(at(day, 14, 30), "pull", "prod/web", name)
for day in range(-10, LAST_DAY + 1, 2):
    event(at(day, 7), "pull", "prod/web", deployed(web, day))
# Two images from before the history window of the enablement look-back: `legacy`
# (pushed 110 days before enablement, pulled 40 days before it: recognised through the
# 90-day pull look-back) and `old-2025` (pushed 100 days before, never pulled: not
# recognised, so it is `expired` from the enablement on).
push(at(-100, 9), "prod/web", "legacy", "legacy")
event(at(-30, 9), "pull", "prod/web", "legacy")
push(at(-90, 9), "prod/web", "old-2025", "old-2025")
# A bad hotfix on day 33, scanned (continuous) and deleted the next morning.
push(at(33, 15), "prod/web", "web-hotfix", "v2.99.1")
event(at(34, 8), "delete", "prod/web", "web-hotfix")

# staging/api: a build every 2 days tagged only `latest`; the previous build becomes
# untagged and the lifecycle rule deletes it 14 days after its push. CI pulls each build.
staging = []
for k, day in enumerate(range(-30, LAST_DAY + 1, 2)):
    name = f"stg-{k}"
    staging.append((day, name))
    push(at(day, 16), "staging/api", name, "latest")
    event(at(day, 16, 30), "pull", "staging/api", name)
# Two explicit deletes of broken builds.
for day in (24, 44):
    name = [n for d, n in staging if d == day - 2][0]
    event(at(day, 17), "delete", "staging/api", name)

# dev/tools: a nightly build tagged `latest` (untagged a day later, deleted by the
# lifecycle 14 days after its push), pulled by developers; one Windows image, which
# Inspector does not support.
for day in range(-30, LAST_DAY + 1):
    push(at(day, 2), "dev/tools", f"nightly-{day}", "latest")
    if day % 3 == 0:
        event(at(day, 9), "pull", "dev/tools", f"nightly-{day}")
push(at(5, 11), "dev/tools", "tools-windows", "windows-ltsc2022", "false")

# sandbox/x: experiments. exp1 is archived on day 20 and restored on day 30 (a restore
# scans like a push); exp2 is archived on day 22 and re-pushed on day 35 (a re-push
# restores it); exp3 is deleted on day 45.
push(at(-5, 13), "sandbox/x", "exp1", "exp1")
push(at(3, 13), "sandbox/x", "exp2", "exp2")
push(at(12, 13), "sandbox/x", "exp3", "exp3")
event(at(20, 9), "archive", "sandbox/x", "exp1")
event(at(22, 9), "archive", "sandbox/x", "exp2")
event(at(30, 9), "restore", "sandbox/x", "exp1")
event(at(31, 9), "pull", "sandbox/x", "exp1")
push(at(35, 13), "sandbox/x", "exp2", "exp2-again")
event(at(45, 9), "delete", "sandbox/x", "exp3")

# Vulnerability database updates. Registry-wide on day 5 (BASIC: no enhanced scan, so
# nothing is rescanned) and every 10 days from day 15; prod/api only on days 20 and 50;
# the deployed prod/web image every 3 days from day 11.
for day in (5, 15, 25, 35, 45, 55):
    event(at(day, 3), "vulndb_update")
for day in (20, 50):
    event(at(day, 4), "vulndb_update", "prod/api")
for day in range(11, LAST_DAY + 1, 3):
    event(at(day, 4, 30), "vulndb_update", "prod/web", deployed(web, day))

rows.sort()
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "events.csv"), "w", newline="\n") as f:
    f.write("time,event,repository,digest,tags,supported\n")
    for _, _, line in rows:
        f.write(line + "\n")
print(f"events.csv: {len(rows)} events")
