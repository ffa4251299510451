from django.http import HttpResponse


def board(request):  # replaced by the dispatch helper
    return HttpResponse("")
