from django.urls import path

from . import views

app_name = "interviews"
urlpatterns = [
    path("", views.set_list, name="set_list"),
    path("new/", views.set_builder, name="set_builder"),
    path("<int:pk>/", views.set_detail, name="set_detail"),
    path("<int:pk>/settings/", views.set_update, name="set_update"),
    path("<int:pk>/clone/", views.set_clone, name="set_clone"),
    path("<int:pk>/archive/", views.set_archive, name="set_archive"),
    path("<int:pk>/print/<str:view>/", views.set_print, name="set_print"),
    path("<int:pk>/items/add/", views.item_add, name="item_add"),
    path("<int:pk>/items/search/", views.add_search, name="add_search"),
    path("<int:pk>/items/reorder/", views.items_reorder, name="items_reorder"),
    path("<int:pk>/items/<int:item_pk>/move/<str:direction>/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/items/<int:item_pk>/swap/", views.item_swap, name="item_swap"),
    path(
        "<int:pk>/items/<int:item_pk>/swap/options/",
        views.item_swap_options,
        name="item_swap_options",
    ),
    path("<int:pk>/items/<int:item_pk>/points/", views.item_points, name="item_points"),
]
