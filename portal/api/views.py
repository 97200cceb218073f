"""Read-only API for the shared kernel. Every queryset starts from the scope function;
an object outside it is a 404."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .. import permissions
from ..models import Region, School, Teacher
from ..scope import scope_queryset
from ..security import client_ip
from ..services import IDLookupRefused, audit_record, teacher_find_by_id_number
from .authentication import token_issue, token_revoke
from .filters import RegionFilter, SchoolFilter, TeacherFilter
from .pagination import LargeListPagination
from .parsers import JSONParser
from .serializers import (
    MeSerializer,
    RegionSerializer,
    SchoolSerializer,
    TeacherDetailSerializer,
    TeacherSearchSerializer,
    TeacherSerializer,
)


class Scoped:
    """Restricts a view's ``queryset`` to what the caller may see: every API view with a
    queryset inherits it (a test walks the URL conf and fails on one that does not). By
    default the one scope function; a view whose objects are seen up the tree as well
    (honour types, programmes) overrides ``visible`` with its app's selector, which starts
    from the scope function too. Outside what is visible an object is a 404."""

    lookup_value_regex = "[0-9]+"  # an id that is not a number is no route at all: 404

    def visible(self, queryset):
        return scope_queryset(self.request.user, queryset)

    def get_queryset(self):
        return self.visible(super().get_queryset())


class ScopedViewSet(Scoped, viewsets.ReadOnlyModelViewSet):
    pass


class RegionViewSet(ScopedViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    ordering_fields = ["code", "name"]


class SchoolViewSet(ScopedViewSet):
    queryset = School.objects.select_related("county")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter
    ordering_fields = ["code", "name"]


class TeacherViewSet(ScopedViewSet):
    queryset = Teacher.objects.select_related("school")
    filterset_class = TeacherFilter
    pagination_class = LargeListPagination
    ordering_fields = None

    def get_serializer_class(self):
        if self.action == "search":
            return TeacherSearchSerializer
        return TeacherDetailSerializer if self.action == "retrieve" else TeacherSerializer

    def list(self, request, *args, **kwargs):
        if "id_number" in request.query_params:
            # An ID number in a URL lands in access logs and proxies' caches.
            raise ValidationError(
                {
                    "id_number": [
                        _(
                            "ID numbers are never sent in an address: search by ID number "
                            "with POST /api/v1/teachers/search/."
                        )
                    ]
                }
            )
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=TeacherSearchSerializer,
        responses={200: TeacherSerializer(many=True)},
        description=(
            "The teachers in the caller's scope with this ID number (0 or 1). A search by "
            "full ID number is a reveal: audited, and limited per account per hour (429)."
        ),
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        if not permissions.may_reveal_id_numbers(request.user):
            raise PermissionDenied(_("Your account may not search by ID number."))
        query = TeacherSearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        try:
            teacher = teacher_find_by_id_number(
                user=request.user,
                id_number=query.validated_data["id_number"],
                ip_address=client_ip(request),
                via="api",
            )
        except IDLookupRefused as exc:
            if exc.throttled:
                raise Throttled(detail=exc.message) from None
            raise PermissionDenied(exc.message) from None
        found = [teacher] if teacher is not None else []
        return Response(TeacherSerializer(found, many=True, context={"request": request}).data)


class MeView(APIView):
    scoped_by = "the caller's own account"

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(MeSerializer(user).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenView(APIView):
    scoped_by = "no data: it issues a token to the caller"
    """Exchange a user name and password for a new token (POST); revoke the token used, or
    with a session every token of the user (DELETE).

    JSON only: a page on another site can make a browser post a form or plain text here
    without any CSRF token, but not JSON; such posts are a 415 before any password is
    checked, so they cannot lock anyone out."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = [JSONParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
        description=(
            "A new token at each log-in (a user holds at most ten; the oldest goes). A token "
            "stops after API_TOKEN_TTL_SECONDS, after API_TOKEN_IDLE_SECONDS unused, when the "
            "user's password changes or the user is deactivated, or on DELETE."
        ),
    )
    def post(self, request):
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request, **credentials.validated_data)
        if user is None:
            if getattr(request._request, "axes_locked_out", False) or getattr(
                request, "axes_locked_out", False
            ):
                from ..security import lockout_minutes

                return Response(
                    {
                        "detail": _(
                            "Too many failed log-ins for this account or from this address; "
                            "try again in %(minutes)d minutes."
                        )
                        % {"minutes": lockout_minutes()}
                    },
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            return Response(
                {"detail": _("Wrong user name or password.")}, status=status.HTTP_400_BAD_REQUEST
            )
        key = token_issue(user=user)
        audit_record(actor=user, action="token.issue", obj=user)
        return Response({"token": key})

    @extend_schema(
        request=None,
        responses={204: None},
        description="Revokes the token of the request; with a session, every token of the user.",
    )
    def delete(self, request):
        if not request.user.is_authenticated:
            return Response(status=status.HTTP_401_UNAUTHORIZED)
        token_revoke(user=request.user, token=request.auth)  # a session: request.auth is None
        audit_record(actor=request.user, action="token.revoke", obj=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
