//! The browser side: watches this page load's Core Web Vitals with `PerformanceObserver`
//! (entries from before hydration included, through `buffered`) and sends them once, with
//! `navigator.sendBeacon`, when the page is hidden or left. No third-party script: the
//! beacon goes to the store itself, which the page's CSP (`connect-src 'self'`) allows.
//!
//! INP is the slowest interaction of the page load (the definition's percentile only
//! differs after 50 interactions); CLS is the largest session window of layout shifts
//! (shifts less than 1 s apart, at most 5 s long), as the metric defines them.

use crate::vitals::model::{Beacon, Metric, PageType, BEACON_PATH};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{PerformanceEntry, PerformanceObserver, PerformanceObserverEntryList};

/// Event-timing entries shorter than this (ms) are not reported by the browser; an
/// interaction this fast is good anyway (INP's "good" ends at 200 ms).
const EVENT_DURATION_THRESHOLD_MS: f64 = 40.0;

#[derive(Default)]
struct LayoutShifts {
    largest_window: f64,
    window: f64,
    window_start: f64,
    last_shift: f64,
}

impl LayoutShifts {
    fn add(&mut self, at: f64, value: f64) {
        let continues =
            self.window > 0.0 && at - self.last_shift < 1000.0 && at - self.window_start < 5000.0;
        if continues {
            self.window += value;
        } else {
            self.window = value;
            self.window_start = at;
        }
        self.last_shift = at;
        self.largest_window = self.largest_window.max(self.window);
    }
}

#[derive(Default)]
struct Readings {
    lcp: Option<f64>,
    slowest_interaction: Option<f64>,
    shifts: LayoutShifts,
    ttfb: Option<f64>,
    sent: bool,
}

impl Readings {
    fn beacon(&self, page: PageType) -> Beacon {
        let readings = [
            (Metric::Lcp, self.lcp),
            (Metric::Inp, self.slowest_interaction),
            (Metric::Cls, Some(self.shifts.largest_window)),
            (Metric::Ttfb, self.ttfb),
        ];
        Beacon {
            page,
            values: readings
                .into_iter()
                .filter_map(|(metric, reading)| Some((metric, metric.whole_value(reading?)?)))
                .collect(),
        }
    }
}

fn number(entry: &JsValue, field: &str) -> Option<f64> {
    js_sys::Reflect::get(entry, &JsValue::from_str(field))
        .ok()
        .and_then(|value| value.as_f64())
}

/// Starts watching this page load; does nothing in the staff area or in a browser
/// without the needed APIs.
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(page) = window
        .location()
        .pathname()
        .ok()
        .and_then(|path| PageType::of_path(&path))
    else {
        return;
    };
    let readings = Rc::new(RefCell::new(Readings {
        ttfb: time_to_first_byte(&window),
        ..Readings::default()
    }));

    let lcp = Rc::clone(&readings);
    observe("largest-contentful-paint", None, move |entry| {
        lcp.borrow_mut().lcp = Some(entry.start_time());
    });
    let cls = Rc::clone(&readings);
    observe("layout-shift", None, move |entry| {
        // Shifts right after the visitor's own input are expected, not counted.
        let after_input = js_sys::Reflect::get(entry, &JsValue::from_str("hadRecentInput"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if let (false, Some(value)) = (after_input, number(entry, "value")) {
            cls.borrow_mut().shifts.add(entry.start_time(), value);
        }
    });
    let inp = Rc::clone(&readings);
    observe("event", Some(EVENT_DURATION_THRESHOLD_MS), move |entry| {
        if number(entry, "interactionId").unwrap_or(0.0) > 0.0 {
            let mut readings = inp.borrow_mut();
            let slowest = readings.slowest_interaction.unwrap_or(0.0);
            readings.slowest_interaction = Some(slowest.max(entry.duration()));
        }
    });

    let send = move || {
        let mut readings = readings.borrow_mut();
        if readings.sent {
            return;
        }
        readings.sent = true;
        let beacon = readings.beacon(page);
        if let Some(window) = web_sys::window() {
            let _ = window
                .navigator()
                .send_beacon_with_opt_str(BEACON_PATH, Some(&beacon.to_json()));
        }
    };
    let send = Rc::new(send);
    let on_hidden = {
        let send = Rc::clone(&send);
        Closure::<dyn FnMut()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
            if hidden {
                send();
            }
        })
    };
    let on_page_hide = Closure::<dyn FnMut()>::new(move || send());
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_hidden.as_ref().unchecked_ref(),
        );
    }
    let _ =
        window.add_event_listener_with_callback("pagehide", on_page_hide.as_ref().unchecked_ref());
    // Both listeners live as long as the page.
    on_hidden.forget();
    on_page_hide.forget();
}

/// When the first byte of this page's response arrived, from the navigation's timing.
fn time_to_first_byte(window: &web_sys::Window) -> Option<f64> {
    let navigation = window
        .performance()?
        .get_entries_by_type("navigation")
        .get(0);
    number(&navigation, "responseStart").filter(|ms| *ms > 0.0)
}

/// Calls `on_entry` for each entry of this type, past (buffered) and future.
fn observe(
    entry_type: &str,
    duration_threshold: Option<f64>,
    mut on_entry: impl FnMut(&PerformanceEntry) + 'static,
) {
    let callback = Closure::<dyn FnMut(PerformanceObserverEntryList)>::new(
        move |list: PerformanceObserverEntryList| {
            for entry in list.get_entries().iter() {
                if let Ok(entry) = entry.dyn_into::<PerformanceEntry>() {
                    on_entry(&entry);
                }
            }
        },
    );
    let Ok(observer) = PerformanceObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    // `{type, buffered}` (web-sys only knows the older `entryTypes`, which cannot ask for
    // the entries from before the observer existed). A browser that does not know the
    // type only warns in its console.
    let options = js_sys::Object::new();
    let mut fields = vec![
        ("type", JsValue::from_str(entry_type)),
        ("buffered", JsValue::TRUE),
    ];
    if let Some(threshold) = duration_threshold {
        fields.push(("durationThreshold", JsValue::from_f64(threshold)));
    }
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(name), &value);
    }
    observer.observe(options.unchecked_ref());
    // The observer calls back for the rest of the page's life.
    callback.forget();
}
