from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    return render(request, "organisations/home.html")


def placeholder(request, **kwargs):
    return HttpResponse("")
