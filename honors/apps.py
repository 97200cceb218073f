from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "honors"
