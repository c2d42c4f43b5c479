"""Download a quarterly update as an XLSX template, and upload it back."""

from django.http import HttpResponse


def download(request, locality, quarter):
    return HttpResponse("todo")


def upload(request, locality, quarter):
    return HttpResponse("todo")
