from django.http import HttpRequest

PORTAL_NAME = "嘉兴市镇(街道)民政工作规范化建设管理平台"


def portal(request: HttpRequest) -> dict:
    return {"PORTAL_NAME": PORTAL_NAME, "PORTAL_SHORT_NAME": "民政规范化建设平台"}
