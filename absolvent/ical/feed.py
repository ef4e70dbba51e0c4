"""The iCalendar text of a feed (RFC 5545, written by the icalendar library): each
step an all-day event on its due date. Gets plain dicts only, so what the feed says is
decided by the caller (customer numbers and measure numbers, never names)."""
import datetime

from icalendar import Calendar, Event

PRODID = "-//Absolvent//Wiedervorlagen//DE"
REFRESH = datetime.timedelta(hours=1)  # how often clients are asked to fetch again


def calendar(name, events, stamp=None):
    """The feed as bytes. ``events``: [{"uid", "date", "summary", "description", "url"}]."""
    stamp = stamp or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")  # Outlook reads this one
    for item in events:
        event = Event()
        event.add("uid", item["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", item["date"])  # a date: DTSTART;VALUE=DATE, an all-day event
        event.add("dtend", item["date"] + datetime.timedelta(days=1))
        event.add("summary", item["summary"])
        event.add("description", item["description"])
        event.add("url", item["url"])
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: the day stays free
        cal.add_component(event)
    return cal.to_ical()
