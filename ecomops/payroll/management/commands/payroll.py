"""`ecomops payroll`: the month's pay from the command line (PER-06, PER-14).

    ecomops payroll run --month 2026-10 [--json] [--user USERNAME]
        create or recompute the month's draft (a run past draft is refused) and print its slips; with
        --json also the PER-09 activity fund of each department
    ecomops payroll targets-due --month 2026-11
        raise the PER-06 due items of the supervisors for that month's targets (idempotent; cron daily)

The acting user (recorded in the audit trail) is ``--user``, by default the first active superuser.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ecomops.core.errors import BusinessError
from ecomops.payroll import actions
from ecomops.payroll.models import ActivityFund, PaySlip
from ecomops.payroll.periods import label


class Command(BaseCommand):
    help = "Compute a month's pay run (PER-14) or raise the target due items (PER-06)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="create or recompute the month's draft and print its slips")
        run.add_argument("--month", required=True, help="YYYY-MM")
        run.add_argument("--json", action="store_true", help="print the run and every slip line as JSON")
        run.add_argument("--user", help="acting user (default: the first active superuser)")
        due = sub.add_parser("targets-due", help="raise the supervisors' due items for the month's targets")
        due.add_argument("--month", required=True, help="YYYY-MM")

    def _user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        user = (users.filter(username=username) if username else users.filter(is_superuser=True).order_by("pk")).first()
        if user is None:
            raise CommandError(f"no such active user: {username}" if username else "no active superuser: use --user")
        return user

    def handle(self, *args, action, **options):
        try:
            if action == "targets-due":
                raised = actions.raise_target_dues(options["month"])
                self.stdout.write(f"PER-06: due items for {raised} supervisor(s)")
                return
            result = actions.compute_run(options["month"], user=self._user(options.get("user")))
        except BusinessError as error:
            raise CommandError(f"{error.field or 'error'}: {error.message}") from None
        run = result.run
        slips = PaySlip.objects.filter(run=run).prefetch_related("lines").order_by("employee_no")
        funds = ActivityFund.objects.filter(run=run).select_related("department").order_by("department__code", "pk")
        if options["json"]:
            self.stdout.write(json.dumps({
                "month": label(run.month), "state": run.state, "created": result.created, "changed": result.changed,
                "policy_on": run.policy_on.isoformat(), "fingerprint": run.fingerprint,
                "orders": run.orders_count, "orders_amount": str(run.orders_amount), "refunds": run.refunds_count,
                "refunds_amount": str(run.refunds_amount), "net_sales": str(run.net_sales), "total": str(run.total),
                "slips": [{"employee_no": s.employee_no, "name": s.name, "role": s.role, "total": str(s.total),
                           "lines": [{"seq": x.seq, "kind": x.kind, "amount": str(x.amount), "clause": x.clause,
                                      "explanation": x.explanation,
                                      "policy_versions": [p["label"] for p in x.policy],
                                      "corrects": x.corrects_id} for x in s.lines.all()]} for s in slips],
                "funds": [{"department": {"id": f.department_id, "code": f.department.code, "name": f.department.name},
                           "sales": str(f.sales), "plan": None if f.plan is None else str(f.plan),
                           "completion": None if f.completion is None else str(f.completion),
                           "rate": str(f.rate), "amount": str(f.amount), "explanation": f.explanation,
                           "policy_versions": [p["label"] for p in f.policy]} for f in funds],
            }, ensure_ascii=False, indent=2))
            return
        verb = "computed" if result.created else ("recomputed, changed" if result.changed else "recomputed, unchanged")
        self.stdout.write(f"{label(run.month)} {verb}: {run.slip_count} slip(s), total {run.total}, "
                          f"sales {run.net_sales} ({run.orders_count} orders − {run.refunds_count} refunds)")
        for slip in slips:
            self.stdout.write(f"  {slip.employee_no:<8} {slip.name:<8} {slip.total:>12}")
        for fund in funds:
            self.stdout.write(f"  PER-09 activity fund {fund.department.code}: {fund.amount} (rate {fund.rate})")
