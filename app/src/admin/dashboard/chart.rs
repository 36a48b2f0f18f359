//! A bar chart drawn as SVG by the server: readable without JavaScript, with the figures
//! also in a table for screen readers and for copying.

use leptos::prelude::*;

const WIDTH: i64 = 600;
const HEIGHT: i64 = 180;
const AXIS: i64 = 20;

/// One bar: its label (a date) and its value, with the value written for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

/// The height of a bar in pixels for `value` when the largest value is `max`.
pub fn bar_height(value: i64, max: i64, room: i64) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    // At least one pixel for any non-zero value, so small days stay visible.
    ((value * room) / max).max(1)
}

#[component]
pub fn BarChart(title: String, bars: Vec<Bar>, test_id: &'static str) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let count = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = WIDTH / count;
    let bar_width = (slot - 4).max(1);
    let room = HEIGHT - AXIS;
    let biggest = bars
        .iter()
        .max_by_key(|b| b.value)
        .map(|b| b.shown.clone())
        .unwrap_or_default();
    let first = bars.first().map(|b| b.label.clone()).unwrap_or_default();
    let last = bars.last().map(|b| b.label.clone()).unwrap_or_default();
    let summary = format!("{title}: from {first} to {last}, highest {biggest}.");
    let rects = bars
        .iter()
        .enumerate()
        .map(|(index, bar)| {
            let height = bar_height(bar.value, max, room);
            let x = i64::try_from(index).unwrap_or(0) * slot + 2;
            let y = room - height;
            view! {
                <rect x=x y=y width=bar_width height=height class="bar">
                    <title>{format!("{}: {}", bar.label, bar.shown)}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=test_id>
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary.clone() preserveAspectRatio="none">
                <line x1="0" y1=room x2=WIDTH y2=room class="axis" />
                {rects}
                <text x="0" y=HEIGHT - 4 class="axis-label">{first}</text>
                <text x=WIDTH y=HEIGHT - 4 class="axis-label end">{last}</text>
                <text x="0" y="12" class="axis-label">{format!("max {biggest}")}</text>
            </svg>
            <details>
                <summary>"Show the figures"</summary>
                <table class="admin-table">
                    <caption class="visually-hidden">{title}</caption>
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Value"</th></tr></thead>
                    <tbody>
                        {bars.into_iter().map(|b| view! { <tr><td>{b.label}</td><td>{b.shown}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::bar_height;

    #[test]
    fn bars_scale_to_the_largest_value_and_small_values_stay_visible() {
        assert_eq!(bar_height(100, 100, 160), 160);
        assert_eq!(bar_height(50, 100, 160), 80);
        assert_eq!(bar_height(1, 1_000_000, 160), 1);
        assert_eq!(bar_height(0, 100, 160), 0);
        assert_eq!(bar_height(5, 0, 160), 0);
    }
}
