from django.urls import path

from sinergi.market import views

app_name = "market"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("produk/<id:pk>/", views.product_detail, name="product_detail"),
    path("produk/<id:pk>/foto/", views.product_photo, name="product_photo"),
    path("produk-kelompok/", views.my_products, name="my_products"),
    path("permintaan/", views.demand_list, name="demand_list"),
    path("permintaan/<id:pk>/", views.demand_detail, name="demand_detail"),
    path("pesanan/<id:pk>/", views.order_detail, name="order_detail"),
    path("penjualan/", views.sale_list, name="sale_list"),
]
