"""Read-only API for the shared kernel. Every queryset starts from the scope function;
an object outside it is a 404."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ..models import Region, School, Teacher
from ..scope import scope_queryset
from ..services import audit_record
from .authentication import token_expired
from .filters import RegionFilter, SchoolFilter, TeacherFilter
from .pagination import LargeListPagination
from .serializers import (
    MeSerializer,
    RegionSerializer,
    SchoolSerializer,
    TeacherDetailSerializer,
    TeacherSerializer,
)


class Scoped:
    """Restricts a view's ``queryset`` to the caller's scope: every API view of every app
    starts from it (outside the scope an object is a 404)."""

    lookup_value_regex = "[0-9]+"  # an id that is not a number is no route at all: 404

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())


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
        return TeacherDetailSerializer if self.action == "retrieve" else TeacherSerializer


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(MeSerializer(user).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a user name and password for a token (POST); revoke it (DELETE)."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
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
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        audit_record(actor=user, action="token.issue", obj=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not request.user.is_authenticated:
            return Response(status=status.HTTP_401_UNAUTHORIZED)
        Token.objects.filter(user=request.user).delete()
        audit_record(actor=request.user, action="token.revoke", obj=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
