from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api
from .core.uploads import serve_upload
from .dashboard import views as dashboard_views
from .org import home_views

admin.site.site_header = "EcomOps 电商运营管理系统"
admin.site.site_title = "EcomOps"

urlpatterns = [
    # DAT-01: the home page is the dashboard for who may see it (else org's due items); the due items
    # stay reachable as 我的待办.
    path("", dashboard_views.home, name="home"),
    path("todo/", home_views.home, name="todo"),
    path("", include("ecomops.org.site_urls")),
    path("dashboard/", include("ecomops.dashboard.urls")),
    path("org/", include("ecomops.org.urls")),
    path("policy/", include("ecomops.policy.urls")),
    path("audit/", include("ecomops.audit.urls")),
    path("compliance/", include("ecomops.compliance.urls")),
    path("catalog/", include("ecomops.catalog.urls")),
    path("stores/", include("ecomops.stores.urls")),
    path("suppliers/", include("ecomops.suppliers.urls")),
    path("listing/", include("ecomops.listing.urls")),
    path("inventory/", include("ecomops.inventory.urls")),
    path("receiving/", include("ecomops.receiving.urls")),
    path("stockops/", include("ecomops.stockops.urls")),
    path("supply/", include("ecomops.supply.urls")),
    path("orders/", include("ecomops.orders.urls")),
    path("order-imports/", include("ecomops.orderimport.urls")),
    path("dispatch/", include("ecomops.dispatch.urls")),
    path("logistics/", include("ecomops.logistics.urls")),
    path("waves/", include("ecomops.waves.urls")),
    path("fulfilment/", include("ecomops.fulfilment.urls")),
    path("payroll/", include("ecomops.payroll.urls")),
    path("reports/", include("ecomops.reports.urls")),
    path("scheduling/", include("ecomops.scheduling.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # One place to change one's own password (it clears a required change and records the event).
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    # Uploaded files (MEDIA_URL): never an open directory, in development too; each file is served only
    # to a user who may see the record holding it (core.uploads).
    path("media/<path:name>", serve_upload, name="upload"),
]
