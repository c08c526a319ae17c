from django.urls import path

from sinergi.market import views

app_name = "market"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("produk/<id:pk>/", views.product_detail, name="product_detail"),
    path("produk/<id:pk>/foto/", views.product_photo, name="product_photo"),
    path("produk-kelompok/", views.my_products, name="my_products"),
    path("produk-kelompok/<id:pk>/izin/", views.permit_save, name="permit_save"),
    path("produk-kelompok/<id:pk>/foto/", views.photo_save, name="photo_save"),
    path("produk-kelompok/<id:pk>/minggu/", views.weeks_save, name="weeks_save"),
    path("permintaan/", views.demand_list, name="demand_list"),
    path("permintaan/<id:pk>/", views.demand_detail, name="demand_detail"),
    path("pesanan/<id:pk>/", views.order_detail, name="order_detail"),
    path("pesanan/<id:pk>/kirim/", views.order_send, name="order_send"),
    path("pesanan/<id:pk>/tawarkan-ulang/", views.order_reallocate, name="order_reallocate"),
    path("pesanan/<id:pk>/langkah/", views.order_step, name="order_step"),
    path("pesanan/<id:pk>/batal/", views.order_cancel, name="order_cancel"),
    path("pesanan/<id:pk>/nilai/", views.order_rate, name="order_rate"),
    path("pesanan/<id:pk>/bagian/<id:part>/jawab/", views.part_answer, name="part_answer"),
    path("pesanan/<id:pk>/bagian/<id:part>/ubah/", views.part_adjust, name="part_adjust"),
    path("pesanan/<id:pk>/bagian/<id:part>/langkah/", views.part_step, name="part_step"),
    path("penjualan/", views.sale_list, name="sale_list"),
]
