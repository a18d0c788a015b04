from django.shortcuts import render

from organisations.models import Membership


def account(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(request, "accounts/account.html", {"memberships": memberships})
