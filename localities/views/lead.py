"""A locality lead's pages: My localities, the update in sections, submit."""

from django.http import HttpResponse


def my_localities(request):
    return HttpResponse("todo")


def update_detail(request, locality, quarter):
    return HttpResponse("todo")


def edit_section(request, locality, quarter, section):
    return HttpResponse("todo")


def submit(request, locality, quarter):
    return HttpResponse("todo")
