from django.shortcuts import render


def home(request):
    return render(request, "amanah/home.html")
