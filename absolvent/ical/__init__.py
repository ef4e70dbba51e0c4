"""The calendar feed (Kalender-Abo): a private iCal URL per user with their own open
Wiedervorlagen as all-day events, for Outlook and Thunderbird (issue 12)."""
