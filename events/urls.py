from django.urls import path

from events import views

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("export.<str:fmt>", views.event_export, name="event-export"),
    path("nouveau/", views.event_create, name="event-create"),
    path("a-completer/", views.completeness, name="event-completeness"),
    path("saisie-groupee/", views.attendance_grid, name="event-grid"),
    path("<int:pk>/", views.event_detail, name="event-detail"),
    path("<int:pk>/modifier/", views.event_update, name="event-update"),
    path("<int:pk>/annuler/", views.event_cancel, name="event-cancel"),
    path("<int:pk>/supprimer/", views.event_delete, name="event-delete"),
    path("<int:pk>/restaurer/", views.event_restore, name="event-restore"),
    path("<int:pk>/participation/", views.event_attendance, name="event-attendance"),
    path(
        "<int:pk>/participation/<int:attendee_pk>/retirer/",
        views.attendee_remove,
        name="event-attendee-remove",
    ),
]
