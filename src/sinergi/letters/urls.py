from django.urls import path

from sinergi.letters import views

app_name = "letters"
urlpatterns = [
    path("", views.letter_list, name="letter_list"),
    path("baru/", views.letter_issue, name="letter_issue"),
    path("<id:pk>/", views.letter_detail, name="letter_detail"),
    path("<id:pk>/berkas.<str:fmt>", views.letter_file, name="letter_file"),
    path("<id:pk>/batal/", views.letter_void, name="letter_void"),
    path("templat/", views.template_list, name="template_list"),
    path("templat/<str:kind>/", views.template_edit, name="template_edit"),
]
