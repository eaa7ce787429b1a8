"""Contains all the data models used in inputs/outputs"""

from .accepted_image import AcceptedImage
from .add_space_images_body import AddSpaceImagesBody
from .availability import Availability
from .availability_day import AvailabilityDay
from .block import Block
from .block_request import BlockRequest
from .booker import Booker
from .calendar_feed import CalendarFeed
from .create_space_body import CreateSpaceBody
from .decline_request import DeclineRequest
from .district import District
from .facility import Facility
from .failure_reason import FailureReason
from .field_problem import FieldProblem
from .health import Health
from .host import Host
from .image_status import ImageStatus
from .kakao_login import KakaoLogin
from .label import Label
from .liveness import Liveness
from .mark_read import MarkRead
from .me import Me
from .me_changes import MeChanges
from .my_space import MySpace
from .my_space_page import MySpacePage
from .named_ref import NamedRef
from .notification import Notification
from .notification_kind import NotificationKind
from .notification_page import NotificationPage
from .order import Order
from .order_event import OrderEvent
from .order_event_cause import OrderEventCause
from .order_option import OrderOption
from .order_page import OrderPage
from .order_request import OrderRequest
from .order_space import OrderSpace
from .order_status import OrderStatus
from .payment_accepted import PaymentAccepted
from .problem import Problem
from .problem_code import ProblemCode
from .readiness import Readiness
from .refresh_request import RefreshRequest
from .refund_policy import RefundPolicy
from .refund_policy_detail import RefundPolicyDetail
from .refund_tier_detail import RefundTierDetail
from .review import Review
from .review_page import ReviewPage
from .review_space_body import ReviewSpaceBody
from .reviewer import Reviewer
from .slot import Slot
from .slot_availability import SlotAvailability
from .space_changes import SpaceChanges
from .space_detail import SpaceDetail
from .space_image import SpaceImage
from .space_option import SpaceOption
from .space_page import SpacePage
from .space_sort import SpaceSort
from .space_summary import SpaceSummary
from .token_pair import TokenPair
from .token_type import TokenType

__all__ = (
    "AcceptedImage",
    "AddSpaceImagesBody",
    "Availability",
    "AvailabilityDay",
    "Block",
    "BlockRequest",
    "Booker",
    "CalendarFeed",
    "CreateSpaceBody",
    "DeclineRequest",
    "District",
    "Facility",
    "FailureReason",
    "FieldProblem",
    "Health",
    "Host",
    "ImageStatus",
    "KakaoLogin",
    "Label",
    "Liveness",
    "MarkRead",
    "Me",
    "MeChanges",
    "MySpace",
    "MySpacePage",
    "NamedRef",
    "Notification",
    "NotificationKind",
    "NotificationPage",
    "Order",
    "OrderEvent",
    "OrderEventCause",
    "OrderOption",
    "OrderPage",
    "OrderRequest",
    "OrderSpace",
    "OrderStatus",
    "PaymentAccepted",
    "Problem",
    "ProblemCode",
    "Readiness",
    "RefreshRequest",
    "RefundPolicy",
    "RefundPolicyDetail",
    "RefundTierDetail",
    "Review",
    "Reviewer",
    "ReviewPage",
    "ReviewSpaceBody",
    "Slot",
    "SlotAvailability",
    "SpaceChanges",
    "SpaceDetail",
    "SpaceImage",
    "SpaceOption",
    "SpacePage",
    "SpaceSort",
    "SpaceSummary",
    "TokenPair",
    "TokenType",
)
