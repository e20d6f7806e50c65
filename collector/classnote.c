/* The event of a device the probe re-classed (classnote.h). */
#include "classnote.h"

#include <stdio.h>
#include <stdlib.h>

#include "collector.h"
#include "strbuf.h"
#include "texts.h"

/* "Máy in HP: nay nhận là camera giám sát (trước là máy in) …" in language l; "" when out of
 * memory (the event is still kept, in the other language). */
static char *event_text(const struct collector *c, enum lang l, const char *device,
			const char *was, const char *now)
{
	char kwas[48], know[48];
	struct strbuf sb;
	size_t len;
	snprintf(kwas, sizeof(kwas), "class.%s", was);
	snprintf(know, sizeof(know), "class.%s", now);
	const char *const vals[][2] = {{"device", device},
				       {"class", i18n_get(c->i18n, l, know)},
				       {"was", i18n_get(c->i18n, l, kwas)}};
	if (strbuf_init(&sb, 0) < 0)
		return NULL;
	if (text_fill(&sb, i18n_get(c->i18n, l, "events.text.class_changed"), vals, 3) < 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_take(&sb, &len);
}

void classnote_changed(void *ctx, size_t dev, const char *was, const char *now, time_t when)
{
	struct collector *c = ctx;
	const struct inv_device *d = &c->inv->devices[dev];
	char *vi = event_text(c, LANG_VI, d->name, was, now);
	char *en = event_text(c, LANG_EN, d->name, was, now);
	/* the device is the subject, as a site's target is an alert's */
	store_event(c->store, when, c->inv->communes[d->commune].name, d->name, "class_changed",
		    vi ? vi : "", en);
	free(vi);
	free(en);
}
