from django.http import HttpResponse


def import_index(request):  # replaced by the import helper
    return HttpResponse("")
