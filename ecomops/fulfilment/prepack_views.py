"""Pages of pre-packing (FUL-05): the warehouse's bestsellers with the suggested parcels, the jobs, and
one job's sittings. Thin: scope (a job of a client the user does not see is a 404), render, call
``fulfilment.prepack``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.catalog.models import SKU
from ecomops.core.decorators import internal_page
from ecomops.core.outcome import run_action
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.models import Bin, StockMove, Warehouse
from ecomops.supply.models import PackagingMaterial, Promotion

from . import prepack
from .enums import PrepackState
from .models import PrepackJob
from .views import pk_of


@internal_page(prepack.VIEW_PERM)
def prepack_list(request):
    user = request.user
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("code"))
    chosen = pk_of(request.GET.get("warehouse"))
    warehouse = next((w for w in warehouses if w.pk == chosen), warehouses[0] if warehouses else None)
    suggestions = prepack.suggest(warehouse, user=user) if warehouse is not None else None
    jobs = (PrepackJob.objects.visible_to(user).select_related("warehouse", "sku", "material", "to_bin", "promotion")
            .order_by("state", "-due_on", "-pk"))
    if warehouse is not None:
        jobs = jobs.filter(warehouse=warehouse)
    today = timezone.localdate()
    return render(request, "fulfilment/prepack_list.html", {
        "warehouse": warehouse, "suggestions": suggestions, "jobs": jobs[:200],
        "warehouses": warehouses,
        "bins": (Bin.objects.filter(warehouse=warehouse, kind=BinKind.PREPACK, is_active=True)
                 .order_by("pick_order", "code") if warehouse else []),
        "materials": PackagingMaterial.objects.filter(is_active=True).order_by("code"),
        "promotions": Promotion.objects.filter(warehouse=warehouse, starts_on__gte=today).order_by("starts_on")
        if warehouse else [],
        "can_plan": user.has_perm(prepack.PLAN_PERM),
    })


@require_POST
@internal_page((prepack.VIEW_PERM, prepack.PLAN_PERM))
def prepack_create(request):
    post = request.POST
    warehouse = Warehouse.objects.filter(pk=pk_of(post.get("warehouse")), is_active=True).first()
    sku = SKU.objects.filter(pk=pk_of(post.get("sku"))).first()
    job = run_action(
        request, prepack.create_job, user=request.user, warehouse=warehouse, sku=sku,
        quantity=post.get("quantity") or "", note=post.get("note") or "",
        material=PackagingMaterial.objects.filter(pk=pk_of(post.get("material")), is_active=True).first(),
        to_bin=Bin.objects.filter(pk=pk_of(post.get("to_bin"))).first(),
        promotion=Promotion.objects.filter(pk=pk_of(post.get("promotion"))).first() if post.get("promotion") else None,
        done=lambda j: _("已创建预打包任务 %(no)s") % {"no": j.number})
    if job is None:
        url = redirect("fulfilment:prepack_list").url
        return redirect(f"{url}?warehouse={warehouse.pk}" if warehouse else url)
    return redirect("fulfilment:prepack_job", pk=job.pk)


def _job(request, pk: int) -> PrepackJob:
    job = (PrepackJob.objects.visible_to(request.user)
           .select_related("warehouse", "sku", "material", "to_bin", "promotion", "created_by", "closed_by")
           .filter(pk=pk).first())
    if job is None:
        raise Http404
    return job


@internal_page(prepack.VIEW_PERM)
def prepack_job(request, pk: int):
    job = _job(request, pk)
    moves = (StockMove.objects.filter(doc_kind=DocKind.PREPACK, doc_id=str(job.pk))
             .select_related("from_bin", "to_bin", "lot", "by").order_by("pk"))
    is_open = job.state == PrepackState.OPEN
    return render(request, "fulfilment/prepack_job.html", {
        "job": job, "moves": moves,
        "can_record": is_open and request.user.has_perm(prepack.PACK_PERM),
        "can_close": is_open and request.user.has_perm(prepack.PLAN_PERM),
    })


@require_POST
@internal_page((prepack.VIEW_PERM, prepack.PACK_PERM))
def prepack_record(request, pk: int):
    job = _job(request, pk)
    run_action(request, prepack.record, job, user=request.user, quantity=request.POST.get("quantity") or "",
               done=lambda j: _("已登记预打包，%(done)d / %(planned)d 件") % {"done": j.packed, "planned": j.planned})
    return redirect("fulfilment:prepack_job", pk=job.pk)


@require_POST
@internal_page((prepack.VIEW_PERM, prepack.PLAN_PERM))
def prepack_close(request, pk: int):
    job = _job(request, pk)
    run_action(request, prepack.close, job, user=request.user, reason=request.POST.get("reason") or "",
               done=_("预打包任务已关闭"))
    return redirect("fulfilment:prepack_job", pk=job.pk)
