"""Request bodies shared by several API routers."""

from ninja import Field, Schema


class ReasonIn(Schema):
    """The why of a step (required by the service where a step needs one)."""

    reason: str = Field("", max_length=300)
