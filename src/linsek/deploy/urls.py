from django.urls import URLPattern

app_name = "deploy"
urlpatterns: list[URLPattern] = []
