#!/usr/bin/env python3
"""Writes Ferry's Grafana dashboards (dashboards/*.json) and the list of every query (queries.txt).

The dashboards are generated so that the four of them share one layout, one datasource variable and one way of
reading the scheduler leader's view; edit this file, not the JSON, then run it:

    python3 deploy/grafana/dashboards.py          # rewrite the files
    python3 deploy/grafana/dashboards.py --check  # exit 1 if the files differ from what this writes

queries.txt lists every panel expression and every alert expression, one per line as SOURCE<TAB>EXPR, with the
Grafana variables replaced by values Prometheus accepts ($host by .*, $__rate_interval by 1m, $__range by 1h,
$__interval by 1m), so that deploy/check.sh and the Prometheus integration test can evaluate them as they are.
Needs only the standard library, plus PyYAML to read the alert rules.
"""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "prometheus" / "rules" / "ferry-alerts.yml"
DS = {"type": "prometheus", "uid": "${datasource}"}

# The scheduler replicas all export the same names; only the leader's cluster view is current.
LEADER = 'and on (replica) (ferry_scheduler_leader{role="scheduler"} == 1)'
H = 'host=~"$host"'
RI = "$__rate_interval"


def leader(expr):
    return f"({expr}) {LEADER}"


class Dashboard:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.x, self.y, self.row_h = [], 0, 0, 0

    def row(self, title):
        self._newline()
        self.panels.append({"type": "row", "title": title, "collapsed": False, "panels": [],
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "id": len(self.panels) + 1})
        self.y += 1

    def _newline(self):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0

    def _place(self, w, h):
        if self.x + w > 24:
            self._newline()
        pos = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def panel(self, kind, title, targets, *, unit="short", w=12, h=8, description="", options=None, field=None,
              instant=False, fmt="time_series"):
        tgts = []
        for i, t in enumerate(targets):
            expr, legend = t if isinstance(t, tuple) else (t, "")
            tgt = {"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend or "__auto",
                   "range": not instant, "instant": instant, "format": fmt}
            tgts.append(tgt)
        defaults = {"unit": unit}
        defaults.update(field or {})
        p = {"id": len(self.panels) + 1, "type": kind, "title": title, "description": description, "datasource": DS,
             "gridPos": self._place(w, h), "targets": tgts, "fieldConfig": {"defaults": defaults, "overrides": []},
             "options": options or {}}
        self.panels.append(p)
        return p

    def stat(self, title, expr, unit="short", description="", w=4, legend="", text_mode="auto", thresholds=None):
        field = {}
        if thresholds:
            field["thresholds"] = {"mode": "absolute",
                                   "steps": [{"color": c, "value": v} for v, c in thresholds]}
            field["color"] = {"mode": "thresholds"}
        return self.panel("stat", title, [(expr, legend)], unit=unit, w=w, h=4, description=description,
                          field=field, options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                                                  "values": False},
                                                "textMode": text_mode, "colorMode": "value", "graphMode": "area"})

    def graph(self, title, targets, unit="short", description="", w=12, h=8, stack=False, steps=False):
        custom = {"lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}
        if stack:
            custom.update({"stacking": {"mode": "normal", "group": "A"}, "fillOpacity": 40})
        if steps:
            custom["lineInterpolation"] = "stepAfter"
        return self.panel("timeseries", title, targets, unit=unit, w=w, h=h, description=description,
                          field={"custom": custom},
                          options={"legend": {"displayMode": "table", "placement": "right",
                                              "calcs": ["lastNotNull", "max"]},
                                   "tooltip": {"mode": "multi", "sort": "desc"}})

    def table(self, title, targets, description="", w=12, h=8, join_on=None, hide=("Time",)):
        """An instant table: one row per series, label columns; `join_on` merges the queries' rows on one label."""
        p = self.panel("table", title, targets, description=description, w=w, h=h, instant=True, fmt="table",
                       options={"showHeader": True}, field={"custom": {"align": "auto"}})
        transformations = []
        if join_on:
            transformations.append({"id": "joinByField", "options": {"byField": join_on, "mode": "outer"}})
        transformations.append({"id": "organize", "options": {"excludeByName": {name: True for name in hide}}})
        p["transformations"] = transformations
        return p

    def json(self, variables):
        self._newline()
        return {
            "uid": self.uid, "title": self.title, "description": self.description, "tags": ["ferry"],
            "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1, "timezone": "browser",
            "time": {"from": "now-1h", "to": "now"}, "refresh": "30s", "fiscalYearStartMonth": 0,
            "liveNow": False, "weekStart": "",
            "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                      "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                      "name": "Annotations & Alerts", "type": "dashboard"}]},
            "links": [{"title": "Ferry", "type": "dashboards", "tags": ["ferry"], "asDropdown": True,
                       "includeVars": True, "keepTime": True, "icon": "external link", "targetBlank": False,
                       "tooltip": "", "url": ""}],
            "templating": {"list": variables},
            "panels": self.panels,
        }


DATASOURCE_VAR = {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
                  "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": [], "skipUrlSync": False}
HOST_VAR = {"name": "host", "label": "Host", "type": "query", "datasource": DS,
            "query": {"query": 'label_values(ferry_host_cpu_utilization_ratio{role="agent"}, host)',
                      "refId": "host"},
            "definition": 'label_values(ferry_host_cpu_utilization_ratio{role="agent"}, host)',
            "multi": True, "includeAll": True, "allValue": ".*", "current": {}, "hide": 0, "refresh": 2,
            "regex": "", "sort": 3, "options": [], "skipUrlSync": False}


def overview():
    d = Dashboard("ferry-overview", "Ferry / Cluster overview",
                  "The whole cluster at a glance: who leads, which hosts are on, how busy and balanced they are, and "
                  "how much energy consolidation saves.")

    def stat(*args, **kwargs):
        return d.stat(*args, w=3, **kwargs)

    d.row("Cluster")
    stat("Leader", 'ferry_scheduler_leader{role="scheduler"} == 1', legend="{{replica}}", text_mode="name",
         description="The scheduler replica that leads now. Empty means no leader: see the FerryNoLeader alert.")
    stat("Epoch", 'max(ferry_scheduler_epoch{role="scheduler"})',
         description="Leadership term; it grows by one on every change of leader.")
    stat("Hosts on", 'max(' + leader('ferry_cluster_hosts_on{role="scheduler"}') + ')',
         description="Hosts powered on, as the leader sees them; the rest are in standby after consolidation.")
    stat("Agents connected", 'sum(' + leader('ferry_host_agent_connected{role="scheduler"}') + ')',
         description="Agents with a live report stream to the leader.")
    stat("VMs", 'sum(' + leader('ferry_host_vms{role="scheduler"}') + ')', description="VMs running in the cluster.")
    stat("Migrations in flight", 'sum(' + leader('ferry_migrations_in_flight{role="scheduler"}') + ')',
         description="Migrations the leader has started and not yet finished.")
    stat("Estimated power", 'max(' + leader('ferry_cluster_estimated_watts{role="scheduler"}') + ')', unit="watt",
         description="Estimated draw of all hosts now.")
    stat("Energy saved in range",
         'sum(increase(ferry_energy_saved_joules_total{role="scheduler"}[$__range])) / 3600000', unit="kwatth",
         description="Energy saved by consolidation over the dashboard's time range.")
    d.row("Balance and energy")
    d.graph("Imbalance", [(leader('ferry_cluster_imbalance_ratio{role="scheduler"}'), "imbalance")],
            unit="percentunit", w=8,
            description="Spread of host utilisation the balance policy works to reduce (0 = perfectly even).")
    d.graph("Estimated power", [(leader('ferry_cluster_estimated_watts{role="scheduler"}'), "cluster")], unit="watt",
            w=8, description="Estimated draw of all hosts from their utilisation and power state.")
    d.graph("Power saved", [(f'sum(rate(ferry_energy_saved_joules_total{{role="scheduler"}}[{RI}]))', "saved")],
            unit="watt", w=8,
            description="Power saved by hosts in standby, compared with keeping every host on (joules per second).")
    d.row("Hosts")
    d.graph("CPU utilisation per host", [(f'max by (host) (ferry_host_cpu_utilization_ratio{{role="agent",{H}}})',
                                         "{{host}}")], unit="percentunit",
            description="Busy share of each host's CPUs, measured by its agent.")
    d.graph("Memory utilisation per host",
            [(f'max by (host) (ferry_host_memory_used_bytes{{role="agent",{H}}}) / '
              f'max by (host) (ferry_host_memory_total_bytes{{role="agent",{H}}})', "{{host}}")],
            unit="percentunit", description="Memory in use (MemTotal - MemAvailable) per host.")
    d.graph("VMs per host", [('max by (host) (' + leader(f'ferry_host_vms{{role="scheduler",{H}}}') + ')',
                              "{{host}}")], stack=True, steps=True,
            description="Where VMs run, as reported by the agents to the leader.")
    d.graph("Headline temperature per host",
            [(f'max by (host) (ferry_host_temperature_headline_celsius{{role="agent",{H}}})', "{{host}}")],
            unit="celsius", description="Hottest CPU package sensor of each host.")
    d.row("Decisions")
    d.graph("Decisions by kind and reason",
            [(f'sum by (kind, reason) (rate(ferry_decisions_total{{role="scheduler"}}[{RI}]))', "{{kind}} {{reason}}")],
            unit="ops", w=24, description="What the planner decided and why, per second.")
    return d.json([DATASOURCE_VAR, HOST_VAR])


def hist_quantiles(metric, selector):
    return [(f'histogram_quantile({q}, sum by (le) (rate({metric}_bucket{{{selector}}}[{RI}])))', f"p{int(q * 100)}")
            for q in (0.5, 0.95, 0.99)] + [
        (f'sum(rate({metric}_sum{{{selector}}}[{RI}])) / sum(rate({metric}_count{{{selector}}}[{RI}]))', "mean")]


def migrations():
    d = Dashboard("ferry-migrations", "Ferry / Migrations",
                  "Live migrations: why they start, how they end, how long they take and how much the VMs notice.")
    sched = 'role="scheduler"'
    d.row("Now")
    d.stat("In flight", 'sum(' + leader('ferry_migrations_in_flight{role="scheduler"}') + ')',
           description="Migrations the leader has started and not yet finished.")
    d.stat("Started in range", f'sum(increase(ferry_migrations_started_total{{{sched}}}[$__range]))')
    d.stat("Committed in range",
           f'sum(increase(ferry_migrations_finished_total{{{sched},result="committed"}}[$__range]))')
    d.stat("Rolled back in range",
           f'sum(increase(ferry_migrations_finished_total{{{sched},result="rolled_back"}}[$__range]))',
           thresholds=[(None, "green"), (1, "yellow")],
           description="Migrations undone before the commit point; the VM kept running on its source.")
    d.stat("Failed in range", f'sum(increase(ferry_migrations_finished_total{{{sched},result="failed"}}[$__range]))',
           thresholds=[(None, "green"), (1, "red")], description="See the FerryMigrationFailures alert.")
    d.stat("Success ratio",
           f'sum(increase(ferry_migrations_finished_total{{{sched},result="committed"}}[$__range])) / '
           f'sum(increase(ferry_migrations_finished_total{{{sched}}}[$__range]))', unit="percentunit",
           thresholds=[(None, "red"), (0.9, "yellow"), (0.99, "green")])
    d.row("Started and finished")
    d.graph("Started by reason", [(f'sum by (reason) (rate(ferry_migrations_started_total{{{sched}}}[{RI}]))',
                                   "{{reason}}")], unit="ops", stack=True,
            description="balance, consolidate, evacuate-temperature, evacuate-smart, drain...")
    d.graph("Finished by result", [(f'sum by (result) (rate(ferry_migrations_finished_total{{{sched}}}[{RI}]))',
                                    "{{result}}")], unit="ops", stack=True)
    d.table("Finished by reason and result in range",
            [(f'sum by (reason, result) (increase(ferry_migrations_finished_total{{{sched}}}[$__range]))', "")],
            description="Value: migrations in the dashboard's time range.")
    d.graph("In flight", [('sum(' + leader('ferry_migrations_in_flight{role="scheduler"}') + ')', "scheduler"),
                          ('sum by (host) (ferry_migrations_in_flight{role="agent"})', "{{host}} (agent)")],
            steps=True, description="The leader's count, and each agent's count of migrations it takes part in.")
    d.row("Duration, downtime, bytes (measured by the source agents)")
    d.graph("Total duration", hist_quantiles("ferry_migration_duration_seconds", 'role="agent"'), unit="s",
            description="From PREPARED to COMMITTED, quantiles over the interval.")
    d.graph("Downtime", hist_quantiles("ferry_migration_downtime_seconds", 'role="agent"'), unit="s",
            description="Measured pause of the VM at switchover (QEMU's downtime limit is a target, not a bound).")
    d.panel("heatmap", "Downtime distribution",
            [(f'sum by (le) (increase(ferry_migration_downtime_seconds_bucket{{role="agent"}}[$__interval]))',
              "{{le}}")], unit="s", fmt="heatmap",
            options={"calculate": False, "yAxis": {"unit": "s"}, "color": {"mode": "scheme", "scheme": "Oranges"},
                     "cellGap": 1})
    d.graph("Bytes transferred by kind",
            [(f'sum by (kind) (rate(ferry_migration_bytes_total{{role="agent"}}[{RI}]))', "{{kind}}")], unit="Bps",
            stack=True, description="Migration stream throughput: RAM, disk (NBD mirror) and others.")
    d.graph("Engine results by strategy",
            [(f'sum by (strategy, result) (rate(ferry_migrations_total{{role="agent"}}[{RI}]))',
              "{{strategy}} {{result}}")], unit="ops", w=24,
            description="pre-copy, auto-converge, post-copy outcomes as the agents see them.")
    return d.json([DATASOURCE_VAR])


def host_health():
    d = Dashboard("ferry-host-health", "Ferry / Host health",
                  "Temperature, disks, power and mode of each host: what the failure-avoidance and consolidation "
                  "policies act on.")
    a = f'role="agent",{H}'
    d.row("Temperature")
    d.graph("Headline temperature", [(f'max by (host) (ferry_host_temperature_headline_celsius{{{a}}})', "{{host}}")],
            unit="celsius", description="Hottest CPU package sensor of each host.")
    d.graph("Temperature per sensor", [(f'ferry_host_temperature_celsius{{{a}}}', "{{host}} {{sensor}}")],
            unit="celsius")
    d.graph("Time above the evacuation temperature",
            [('max by (host) (' + leader(f'ferry_host_hot_seconds{{role="scheduler",{H}}}') + ')', "{{host}}")],
            unit="s", w=24, description="How long each host has been above evacuateC. Over 10 minutes raises "
                                        "FerryHotHostNotEvacuated.")
    d.row("Disks")
    d.table("SMART health now", [(f'min by (host, device) (ferry_host_smart_healthy{{{a}}})', "")],
            description="1 = the disk passes its SMART health check, 0 = failing (FerrySmartFailure).")
    d.graph("NVMe endurance used", [(f'max by (host, device) (ferry_host_nvme_percentage_used{{{a}}})',
                                     "{{host}} {{device}}")], unit="percent")
    d.graph("Reallocated sectors", [(f'max by (host, device) (ferry_host_smart_reallocated_sectors{{{a}}})',
                                     "{{host}} {{device}}")], description="Growth means the disk remaps failing sectors.")
    d.graph("Pending sectors", [(f'max by (host, device) (ferry_host_smart_pending_sectors{{{a}}})',
                                 "{{host}} {{device}}")], description="Sectors waiting to be remapped.")
    d.row("Power and mode")
    d.table("Power state and mode now",
            [('max by (host, state) (' + leader(f'ferry_host_power_state{{role="scheduler",{H}}} == 1') + ')', ""),
             ('max by (host, mode) (' + leader(f'ferry_host_mode{{role="scheduler",{H}}} == 1') + ')', "")],
            description="One row per host with its current power state and mode.", join_on="host",
            hide=("Time", "Time 1", "Time 2", "Value #A", "Value #B"))
    d.graph("Hosts by power state",
            [('count by (state) (' + leader('ferry_host_power_state{role="scheduler"} == 1') + ')', "{{state}}")],
            stack=True, steps=True)
    d.graph("Hosts by mode", [('count by (mode) (' + leader('ferry_host_mode{role="scheduler"} == 1') + ')',
                               "{{mode}}")], stack=True, steps=True,
            description="normal, draining, maintenance... as the leader sees each host.")
    d.graph("Agent connected to the leader",
            [(f'max by (host) (ferry_agent_connected_to_leader{{{a}}})', "{{host}}")], steps=True,
            description="0 for longer than 2 minutes raises FerryAgentMissing.")
    d.row("Signals")
    d.graph("Network receive", [(f'sum by (host) (ferry_host_network_receive_bytes_per_second{{{a},interface!="lo"}})',
                                 "{{host}}")], unit="Bps", w=8)
    d.graph("Network transmit",
            [(f'sum by (host) (ferry_host_network_transmit_bytes_per_second{{{a},interface!="lo"}})', "{{host}}")],
            unit="Bps", w=8)
    d.graph("Unavailable signals", [(f'sum by (host, signal, reason_kind) (rate(ferry_signal_unavailable_total{{{a}}}[{RI}]))',
                                     "{{host}} {{signal}} {{reason_kind}}")], unit="ops", w=8,
            description="Samples that could not be read; the reason is in the agent's log.")
    return d.json([DATASOURCE_VAR, HOST_VAR])


def scheduler():
    d = Dashboard("ferry-scheduler", "Ferry / Scheduler",
                  "The scheduler replicas: leadership, planning, policy reloads, report ingest and the executor.")
    s = 'role="scheduler"'
    d.row("Leadership")
    d.stat("Replicas up", 'sum(up{job="ferry-scheduler"})', description="Scraped scheduler replicas.")
    d.stat("Leader", f'ferry_scheduler_leader{{{s}}} == 1', legend="{{replica}}", text_mode="name")
    d.stat("Epoch", f'max(ferry_scheduler_epoch{{{s}}})')
    d.stat("Agents connected to a leader", 'sum(ferry_agent_connected_to_leader{role="agent"})')
    d.stat("Policy valid", f'min(ferry_policy_valid{{{s}}})', thresholds=[(None, "red"), (1, "green")],
           description="0 when a replica refused the current policy file (FerryPolicyReloadFailed).")
    d.stat("Executor queue", 'sum(' + leader(f'ferry_executor_queue{{{s}}}') + ')',
           description="Moves planned and waiting for a free migration slot.")
    d.graph("Leader per replica", [(f'max by (replica) (ferry_scheduler_leader{{{s}}})', "{{replica}}")],
            steps=True, description="1 for the leader, 0 for standbys.")
    d.graph("Epoch per replica and highest epoch seen by agents",
            [(f'max by (replica) (ferry_scheduler_epoch{{{s}}})', "{{replica}}"),
             ('max by (host) (ferry_agent_highest_epoch_seen{role="agent"})', "{{host}} (agent)")], steps=True,
            description="Agents refuse commands from an epoch lower than the highest they have seen.")
    d.row("Planning and policy")
    d.graph("Plan duration", hist_quantiles("ferry_plan_duration_seconds", s), unit="s",
            description="Time the planner takes for one round on the cluster snapshot.")
    d.graph("Plans per second", [(f'sum by (replica) (rate(ferry_plan_duration_seconds_count{{{s}}}[{RI}]))',
                                  "{{replica}}")], unit="ops")
    d.graph("Policy reloads", [(f'sum by (replica, result) (increase(ferry_policy_reload_total{{{s}}}[{RI}]))',
                                "{{replica}} {{result}}")],
            description="ok: the new policy is in effect; error: refused, the previous one stays.")
    d.graph("Decisions by kind", [(f'sum by (kind) (rate(ferry_decisions_total{{{s}}}[{RI}]))', "{{kind}}")],
            unit="ops", stack=True)
    d.row("Ingest and executor")
    d.graph("Reports ingested", [(f'sum by (replica) (rate(ferry_ingest_reports_total{{{s}}}[{RI}]))', "{{replica}}")],
            unit="ops", w=8, description="Host reports received per second (only the leader receives them).")
    d.graph("Report streams", [(f'sum by (replica) (ferry_ingest_streams{{{s}}})', "{{replica}}")], w=8, steps=True,
            description="Open report streams, one per connected agent.")
    d.graph("Ingest lag", [(f'max by (replica) (ferry_ingest_lag_seconds{{{s}}})', "{{replica}}")], unit="s", w=8,
            description="Age of the oldest report the scheduler loop has not yet applied.")
    d.graph("Executor queue and migrations in flight",
            [(f'sum by (replica) (ferry_executor_queue{{{s}}})', "queued {{replica}}"),
             (f'sum by (replica) (ferry_migrations_in_flight{{{s}}})', "in flight {{replica}}")], w=24, steps=True)
    return d.json([DATASOURCE_VAR])


DASHBOARDS = {"ferry-overview.json": overview, "ferry-migrations.json": migrations,
              "ferry-host-health.json": host_health, "ferry-scheduler.json": scheduler}
SUBSTITUTIONS = [("$__rate_interval", "1m"), ("$__interval", "1m"), ("$__range", "1h"), ("$host", ".*")]


def evaluable(expr):
    for var, value in SUBSTITUTIONS:
        expr = expr.replace(var, value)
    return re.sub(r"\s+", " ", expr).strip()


def queries(dashboards):
    lines = ["# Every Grafana panel query and every alert expression of deploy/, one per line: SOURCE<TAB>EXPR.",
             "# Written by deploy/grafana/dashboards.py; Grafana variables are replaced: "
             + ", ".join(f"{k} -> {v}" for k, v in SUBSTITUTIONS) + "."]
    for name, dash in dashboards.items():
        for p in dash["panels"]:
            for t in p.get("targets", []):
                lines.append(f"panel:{dash['uid']}/{p['id']}/{t['refId']} {p['title']}\t{evaluable(t['expr'])}")
    import yaml  # only here: the dashboards need no third-party module
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            lines.append(f"{'alert' if 'alert' in rule else 'record'}:{name}\t{evaluable(rule['expr'])}")
    return "\n".join(lines) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    outputs = {}
    dashboards = {}
    for name, build in DASHBOARDS.items():
        dashboards[name] = build()
        outputs[HERE / "dashboards" / name] = json.dumps(dashboards[name], indent=2) + "\n"
    outputs[HERE / "queries.txt"] = queries(dashboards)
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text() != text]
    if check:
        for p in stale:
            print(f"{p.relative_to(HERE.parent.parent)} differs from what deploy/grafana/dashboards.py writes: "
                  "edit the script and run it", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p])
        print(f"wrote {p.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
