"""The programme office's pages: returns for a quarter, review, approve, return, reopen."""

from django.http import HttpResponse


def returns(request):
    return HttpResponse("todo")


def review(request, locality, quarter):
    return HttpResponse("todo")


def approve(request, locality, quarter):
    return HttpResponse("todo")


def return_to_lead(request, locality, quarter):
    return HttpResponse("todo")


def reopen(request, locality, quarter):
    return HttpResponse("todo")
