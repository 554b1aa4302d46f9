from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = "中心建设"
