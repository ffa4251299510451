"""The shell of the product: sign in and out, and the home page with "my due items" (DAT-04)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.org.scoping import scope_for

from .login import LoginForm

# How far back the home page lists finished items (a display choice, not a business rule).
RECENT_DONE_DAYS = 7
OPEN_PER_PAGE = 25


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out by POST only (Django refuses GET), so a link or an image cannot sign anyone out."""


def start_of_week(now: datetime) -> datetime:
    """Monday 00:00 of the current week in the company's time zone (Asia/Shanghai)."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    return timezone.make_aware(datetime.combine(monday, time.min), timezone.get_current_timezone())


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    mine = DueItem.objects.of_user(user).filter(cancelled_at__isnull=True).select_related("client", "store")
    open_items = mine.open().order_by("due_at", "pk")
    page = Paginator(open_items, OPEN_PER_PAGE).get_page(request.GET.get("page"))
    done_recent = list(
        mine.filter(done_at__isnull=False, done_at__gte=now - timedelta(days=RECENT_DONE_DAYS)).order_by(
            "-done_at", "-pk"
        )[:20]
    )
    counters = {
        "open": open_items.count(),
        "late": open_items.filter(due_at__lt=now).count(),
        "done_week": mine.filter(done_at__gte=start_of_week(now)).count(),
    }
    today = timezone.localdate(now)
    for item in page.object_list:
        item.due_today = timezone.localdate(item.due_at) == today
    scope = scope_for(user)
    staff = getattr(user, "staff", None)
    context = {
        "page_obj": page,
        "open_items": page.object_list,
        "done_recent": done_recent,
        "recent_days": RECENT_DONE_DAYS,
        "counters": counters,
        "now": now,
        "staff": staff,
        "positions": list(staff.positions.order_by("sort_order")) if staff else [],
        "client_member": getattr(user, "client_member", None),
        "scope_all": scope.all,
        "visible_clients": None if scope.all else len(scope.visible_client_ids),
        "visible_stores": None if scope.all else len(scope.store_ids),
    }
    return render(request, "home.html", context)
