# French style: lower-case abbreviated months with their full stop ("2 déc. 2026"), not
# capitalised three-letter ones ("Déc", "Jui" for both June and July).
DATE_FORMAT = "j N Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
