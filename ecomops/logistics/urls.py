from django.urls import path

from . import views

app_name = "logistics"
urlpatterns = [
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:step>/", views.case_step, name="case_step"),
    path("tracking/import/", views.tracking_import, name="tracking_import"),
    path("message-templates/", views.message_templates, name="message_templates"),
    path("message-templates/<int:pk>/", views.message_template_update, name="message_template_update"),
    path("scorecard/", views.scores, name="scorecard"),
    path("bills/", views.bills, name="bills"),
    path("bills/import/", views.bill_import, name="bill_import"),
    path("bills/<int:pk>/", views.bill_detail, name="bill"),
    path("price-cards/", views.price_cards, name="price_cards"),
    path("price-cards/add/", views.price_card_add, name="price_card_add"),
    path("carriers/", views.carriers, name="carriers"),
    path("carriers/<slug:code>/", views.carrier_detail, name="carrier"),
    path("carriers/<slug:code>/pools/add/", views.carrier_pool_add, name="carrier_pool_add"),
    path("carriers/<slug:code>/numbers/import/", views.carrier_numbers_import, name="carrier_numbers_import"),
    path("carriers/<slug:code>/contracts/add/", views.carrier_contract_add, name="carrier_contract_add"),
    path("carriers/<slug:code>/active/", views.carrier_active, name="carrier_active"),
    path("carriers/<slug:code>/services/add/", views.carrier_service_add, name="carrier_service_add"),
    path("carriers/<slug:code>/services/<int:pk>/active/", views.carrier_service_active,
         name="carrier_service_active"),
    path("customs/", views.customs_list, name="customs_list"),
    path("customs/<int:pk>/", views.customs_detail, name="customs"),
    path("customs/<int:pk>/receipt/", views.customs_receipt, name="customs_receipt"),
]
