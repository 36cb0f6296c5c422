"""Input serializers are strict: a field of the wrong JSON type is refused (DRF would turn
123 into "123" or "yes" into True), and a field the endpoint does not take is refused
rather than ignored, so a customer sending a staff-only field learns it had no effect.
Texts are passed as sent: the services apply the one input rule (textclean)."""

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from helpdesk.api.errors import UNKNOWN_FIELD


class StrictCharField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [ErrorDetail(str(UNKNOWN_FIELD), code="unknown_field")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")
