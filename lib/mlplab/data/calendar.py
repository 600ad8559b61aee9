"""The NYSE trading calendar 2010-2016, so the embedded prices have the real 1,762 trading days."""

from __future__ import annotations

import pandas as pd
from pandas.tseries.holiday import (AbstractHolidayCalendar, GoodFriday, Holiday, USLaborDay,
                                    USMartinLutherKingJr, USMemorialDay, USPresidentsDay, USThanksgivingDay,
                                    nearest_workday, sunday_to_monday)

FIRST_DAY = "2010-01-04"
LAST_DAY = "2016-12-30"
# Unscheduled closures in the period: Hurricane Sandy.
SPECIAL_CLOSURES = ("2012-10-29", "2012-10-30")


class NYSEHolidays(AbstractHolidayCalendar):
    """NYSE does not close the Friday before a Saturday New Year's Day, hence sunday_to_monday there."""

    rules = [
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        USMartinLutherKingJr,
        USPresidentsDay,
        GoodFriday,
        USMemorialDay,
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay,
        USThanksgivingDay,
        Holiday("Christmas", month=12, day=25, observance=nearest_workday),
    ]


def trading_days(start: str = FIRST_DAY, end: str = LAST_DAY) -> pd.DatetimeIndex:
    holidays = NYSEHolidays().holidays(start, end).union(pd.DatetimeIndex(SPECIAL_CLOSURES))
    days = pd.bdate_range(start, end)
    return days.difference(holidays).astype("datetime64[ns]")
