//! Which promotions a cart gets and what each takes off each line and the shipping, in
//! integer minor units. Pure: the checkout's quote, the order placement, the cart and the
//! catalog's sale prices all call this with what they read, so they always agree.
//!
//! The rules, as the README documents them for shop owners:
//! - A promotion's conditions (minimum subtotal, minimum quantity) are measured on the
//!   items it applies to, at their undiscounted prices.
//! - Promotions that combine are applied together; one that does not combine is applied
//!   alone. Of the choices the rules allow, the shopper gets the one taking off the most;
//!   on a tie, the one holding the promotion with the highest priority.
//! - Promotions applied together go in priority order (highest first), each on what the
//!   ones before it left, so nothing is ever discounted below zero.
//! - A percentage is taken per line and rounded half up to the minor unit; an amount off is
//!   spread over its lines in proportion to what they cost (the remainder going to the
//!   largest), so the lines' discounts add up to the amount exactly.
//! - "Buy X get Y": among the items it applies to, taken from the most to the least
//!   expensive unit, each group of X + Y units gets its Y cheapest units discounted.
//! - Free shipping takes off the shipping price of the chosen method.

use crate::pricing::ShippingPrice;

/// A cart line as promotions see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    pub product_id: i64,
    pub category_id: i64,
    pub unit_price_minor: i64,
    pub quantity: i32,
}

impl Item {
    fn total(&self) -> i64 {
        self.unit_price_minor * i64::from(self.quantity)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Benefit {
    /// Basis points: 2000 is 20 % off.
    PercentOff(i64),
    /// Minor units off, once per order.
    AmountOff(i64),
    FreeShipping,
    /// Of each `buy + get` units, the `get` cheapest get `percent_bp` off (10000: free).
    BuyXGetY {
        buy: i32,
        get: i32,
        percent_bp: i64,
    },
}

/// The items a promotion applies to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub product_ids: Vec<i64>,
    /// With every subcategory already included.
    pub category_ids: Vec<i64>,
}

impl Target {
    pub fn whole_order(&self) -> bool {
        self.product_ids.is_empty() && self.category_ids.is_empty()
    }

    fn covers(&self, item: &Item) -> bool {
        self.whole_order()
            || self.product_ids.contains(&item.product_id)
            || self.category_ids.contains(&item.category_id)
    }
}

/// A promotion ready to apply: live, and either automatic or reached with the cart's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub promotion_id: i64,
    pub name: String,
    /// The code that brought it in, for a code promotion.
    pub code: Option<String>,
    pub benefit: Benefit,
    pub target: Target,
    pub min_subtotal_minor: Option<i64>,
    pub min_quantity: Option<i32>,
    pub combines: bool,
    pub priority: i32,
    /// Limits the placement checks under a lock; all `None`: no lock is needed.
    pub limits: Limits,
}

/// How often a promotion (and the code that brought it in) may be used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub total: Option<i32>,
    pub per_customer: Option<i32>,
    pub code: Option<i32>,
}

impl Limits {
    pub fn any_on_promotion(&self) -> bool {
        self.total.is_some() || self.per_customer.is_some()
    }
}

/// Why an offer does not apply to a cart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unmet {
    NoItems,
    MinSubtotal { needed: i64, have: i64 },
    MinQuantity { needed: i32, have: i32 },
}

impl Offer {
    /// `None` when the cart meets the conditions, else the first one it misses.
    pub fn unmet(&self, items: &[Item]) -> Option<Unmet> {
        let covered: Vec<&Item> = items.iter().filter(|i| self.target.covers(i)).collect();
        if covered.is_empty() {
            return Some(Unmet::NoItems);
        }
        let subtotal: i64 = covered.iter().map(|i| i.total()).sum();
        let quantity: i32 = covered.iter().map(|i| i.quantity).sum();
        if let Some(needed) = self.min_subtotal_minor.filter(|n| subtotal < *n) {
            return Some(Unmet::MinSubtotal {
                needed,
                have: subtotal,
            });
        }
        if let Some(needed) = self.min_quantity.filter(|n| quantity < *n) {
            return Some(Unmet::MinQuantity {
                needed,
                have: quantity,
            });
        }
        None
    }
}

/// One promotion as applied: its share of each line (in the cart's line order) and of
/// the shipping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub promotion_id: i64,
    pub name: String,
    pub code: Option<String>,
    pub per_line: Vec<i64>,
    pub shipping_minor: i64,
}

impl Applied {
    pub fn total(&self) -> i64 {
        self.per_line.iter().sum::<i64>() + self.shipping_minor
    }
}

/// What the promotions take off a cart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discounts {
    pub applied: Vec<Applied>,
}

impl Discounts {
    /// Off each line, all promotions together.
    pub fn per_line(&self, line_count: usize) -> Vec<i64> {
        let mut sums = vec![0; line_count];
        for applied in &self.applied {
            for (sum, amount) in sums.iter_mut().zip(&applied.per_line) {
                *sum += amount;
            }
        }
        sums
    }

    pub fn shipping_minor(&self) -> i64 {
        self.applied.iter().map(|a| a.shipping_minor).sum()
    }

    pub fn total(&self) -> i64 {
        self.applied.iter().map(Applied::total).sum()
    }
}

/// The best discounts the rules allow for these items with this shipping method (its
/// price worked out on the discounted subtotal).
pub fn best_discounts(items: &[Item], shipping: &ShippingPrice, offers: &[Offer]) -> Discounts {
    let mut eligible: Vec<&Offer> = offers.iter().filter(|o| o.unmet(items).is_none()).collect();
    eligible.sort_by_key(|o| (std::cmp::Reverse(o.priority), o.promotion_id));
    let together: Vec<&Offer> = eligible.iter().copied().filter(|o| o.combines).collect();
    let choices =
        std::iter::once(together).chain(eligible.iter().filter(|o| !o.combines).map(|o| vec![*o]));
    let mut best = Discounts::default();
    let mut best_key = (0, i32::MIN);
    for choice in choices {
        if choice.is_empty() {
            continue;
        }
        let discounts = apply_in_order(items, shipping, &choice);
        let key = (
            discounts.total(),
            choice.iter().map(|o| o.priority).max().unwrap_or(i32::MIN),
        );
        if key > best_key {
            best_key = key;
            best = discounts;
        }
    }
    best
}

fn apply_in_order(items: &[Item], shipping: &ShippingPrice, offers: &[&Offer]) -> Discounts {
    let mut remaining: Vec<i64> = items.iter().map(Item::total).collect();
    let mut applied: Vec<Applied> = offers
        .iter()
        .map(|offer| {
            let per_line = line_discounts(items, &remaining, offer);
            for (left, off) in remaining.iter_mut().zip(&per_line) {
                *left -= off;
            }
            Applied {
                promotion_id: offer.promotion_id,
                name: offer.name.clone(),
                code: offer.code.clone(),
                per_line,
                shipping_minor: 0,
            }
        })
        .collect();
    let shipping_price = shipping.for_subtotal(remaining.iter().sum()).unwrap_or(0);
    if let Some((applied, _)) = applied
        .iter_mut()
        .zip(offers)
        .find(|(_, offer)| offer.benefit == Benefit::FreeShipping)
    {
        applied.shipping_minor = shipping_price;
    }
    // Free shipping stays named even where shipping already costs nothing.
    applied.retain(|a| a.total() > 0 || is_free_shipping(offers, a));
    Discounts { applied }
}

fn is_free_shipping(offers: &[&Offer], applied: &Applied) -> bool {
    offers
        .iter()
        .any(|o| o.promotion_id == applied.promotion_id && o.benefit == Benefit::FreeShipping)
}

/// What one offer takes off each line, given what is left of each line.
fn line_discounts(items: &[Item], remaining: &[i64], offer: &Offer) -> Vec<i64> {
    let covered = |index: usize| offer.target.covers(&items[index]);
    let mut off = vec![0; items.len()];
    match offer.benefit {
        Benefit::PercentOff(bp) => {
            for (index, left) in remaining.iter().enumerate().filter(|(i, _)| covered(*i)) {
                off[index] = percent_of(*left, bp);
            }
        }
        Benefit::AmountOff(amount) => {
            let indices: Vec<usize> = (0..items.len()).filter(|i| covered(*i)).collect();
            let base: i64 = indices.iter().map(|i| remaining[*i]).sum();
            let amount = amount.min(base);
            if amount > 0 {
                let mut given = 0;
                for index in &indices {
                    let share =
                        i128::from(amount) * i128::from(remaining[*index]) / i128::from(base);
                    off[*index] = i64::try_from(share).unwrap_or(0);
                    given += off[*index];
                }
                // The remainder goes to the line with the most left, which can always take it.
                if let Some(largest) = indices.iter().max_by_key(|i| remaining[**i] - off[**i]) {
                    off[*largest] += amount - given;
                }
            }
        }
        Benefit::FreeShipping => {}
        Benefit::BuyXGetY {
            buy,
            get,
            percent_bp,
        } => {
            let mut units: Vec<(i64, usize)> = (0..items.len())
                .filter(|i| covered(*i))
                .flat_map(|i| {
                    std::iter::repeat_n(
                        (items[i].unit_price_minor, i),
                        items[i].quantity.max(0) as usize,
                    )
                })
                .collect();
            units.sort_by_key(|(price, index)| (std::cmp::Reverse(*price), *index));
            let group = (buy + get).max(1) as usize;
            for chunk in units.chunks(group).filter(|c| c.len() == group) {
                for (price, index) in &chunk[group - get.max(0) as usize..] {
                    off[*index] += percent_of(*price, percent_bp);
                }
            }
            for (index, amount) in off.iter_mut().enumerate() {
                *amount = (*amount).min(remaining[index]);
            }
        }
    }
    off
}

/// `bp` basis points of `amount`, rounded half up to the minor unit.
fn percent_of(amount: i64, bp: i64) -> i64 {
    let product = i128::from(amount.max(0)) * i128::from(bp.clamp(0, 10_000));
    i64::try_from((product * 2 + 10_000) / 20_000).unwrap_or(0)
}

/// The price one unit sells for after the automatic promotions that need nothing else in
/// the cart (percentages off with no minimum), for listings and product pages; `None`
/// when none applies.
pub fn sale_price(item: Item, offers: &[Offer]) -> Option<i64> {
    let catalog: Vec<Offer> = offers
        .iter()
        .filter(|o| {
            o.code.is_none()
                && matches!(o.benefit, Benefit::PercentOff(_))
                && o.min_subtotal_minor.unwrap_or(0) <= 0
                && o.min_quantity.unwrap_or(1) <= 1
        })
        .cloned()
        .collect();
    if catalog.is_empty() {
        return None;
    }
    let one = Item {
        quantity: 1,
        ..item
    };
    let no_shipping = ShippingPrice::flat(0, None);
    let off = best_discounts(&[one], &no_shipping, &catalog).total();
    (off > 0).then_some(item.unit_price_minor - off)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(product_id: i64, category_id: i64, price: i64, quantity: i32) -> Item {
        Item {
            product_id,
            category_id,
            unit_price_minor: price,
            quantity,
        }
    }

    fn offer(id: i64, benefit: Benefit) -> Offer {
        Offer {
            promotion_id: id,
            name: format!("Promotion {id}"),
            code: None,
            benefit,
            target: Target::default(),
            min_subtotal_minor: None,
            min_quantity: None,
            combines: false,
            priority: 0,
            limits: Limits::default(),
        }
    }

    fn shipping(price: i64, free_over: Option<i64>) -> ShippingPrice {
        ShippingPrice::flat(price, free_over)
    }

    #[test]
    fn a_percentage_is_taken_per_line_and_rounded_half_up() {
        // 12.5 % of 1.00 is 12.5 cents → 13; of 0.99 is 12.375 → 12.
        let items = [item(1, 1, 100, 1), item(2, 1, 99, 1)];
        let got = best_discounts(
            &items,
            &shipping(0, None),
            &[offer(1, Benefit::PercentOff(1250))],
        );
        assert_eq!(got.per_line(2), [13, 12]);
        assert_eq!(got.total(), 25);
    }

    #[test]
    fn an_amount_off_is_spread_over_lines_and_adds_up_exactly() {
        let items = [
            item(1, 1, 1000, 1),
            item(2, 1, 1000, 1),
            item(3, 1, 1000, 1),
        ];
        let got = best_discounts(
            &items,
            &shipping(0, None),
            &[offer(1, Benefit::AmountOff(1000))],
        );
        let lines = got.per_line(3);
        assert_eq!(lines.iter().sum::<i64>(), 1000);
        assert!(lines.iter().all(|l| (333..=334).contains(l)), "{lines:?}");
    }

    #[test]
    fn an_amount_off_never_takes_an_order_below_zero() {
        let items = [item(1, 1, 300, 1)];
        let got = best_discounts(
            &items,
            &shipping(500, None),
            &[offer(1, Benefit::AmountOff(10_000))],
        );
        assert_eq!(got.per_line(1), [300]);
        assert_eq!(
            got.shipping_minor(),
            0,
            "an amount off the order is not off the shipping"
        );
    }

    #[test]
    fn a_product_or_category_promotion_touches_only_its_items() {
        let items = [
            item(1, 10, 1000, 1),
            item(2, 20, 1000, 1),
            item(3, 30, 1000, 1),
        ];
        let mut on_products = offer(1, Benefit::PercentOff(5000));
        on_products.target.product_ids = vec![2];
        let got = best_discounts(&items, &shipping(0, None), &[on_products]);
        assert_eq!(got.per_line(3), [0, 500, 0]);
        let mut on_category = offer(2, Benefit::PercentOff(5000));
        on_category.target.category_ids = vec![30];
        let got = best_discounts(&items, &shipping(0, None), &[on_category]);
        assert_eq!(got.per_line(3), [0, 0, 500]);
    }

    #[test]
    fn conditions_are_measured_on_the_items_the_promotion_covers() {
        let mut needs_50 = offer(1, Benefit::PercentOff(1000));
        needs_50.min_subtotal_minor = Some(5000);
        needs_50.target.category_ids = vec![10];
        let items = [item(1, 10, 3000, 1), item(2, 20, 9000, 1)];
        assert_eq!(
            needs_50.unmet(&items),
            Some(Unmet::MinSubtotal {
                needed: 5000,
                have: 3000
            })
        );
        assert!(
            best_discounts(&items, &shipping(0, None), &[needs_50.clone()])
                .applied
                .is_empty()
        );
        let items = [item(1, 10, 3000, 2)];
        assert_eq!(needs_50.unmet(&items), None);
        let mut three_items = offer(2, Benefit::PercentOff(1000));
        three_items.min_quantity = Some(3);
        assert_eq!(
            three_items.unmet(&items),
            Some(Unmet::MinQuantity { needed: 3, have: 2 })
        );
        needs_50.target.category_ids = vec![99];
        assert_eq!(needs_50.unmet(&items), Some(Unmet::NoItems));
    }

    #[test]
    fn buy_two_get_one_free_discounts_the_cheapest_of_each_group_of_three() {
        let items = [
            item(1, 1, 3000, 2),
            item(2, 1, 1000, 2),
            item(3, 1, 2000, 1),
        ];
        // Units by price: 30, 30, 20 | 10, 10 → one full group; its cheapest (20) is free.
        let b2g1 = offer(
            1,
            Benefit::BuyXGetY {
                buy: 2,
                get: 1,
                percent_bp: 10_000,
            },
        );
        let got = best_discounts(&items, &shipping(0, None), &[b2g1]);
        assert_eq!(got.per_line(3), [0, 0, 2000]);
        let six = [item(1, 1, 1000, 6)];
        let half = offer(
            2,
            Benefit::BuyXGetY {
                buy: 1,
                get: 1,
                percent_bp: 5000,
            },
        );
        assert_eq!(
            best_discounts(&six, &shipping(0, None), &[half]).total(),
            1500
        );
    }

    #[test]
    fn free_shipping_takes_off_the_chosen_methods_price() {
        let items = [item(1, 1, 1000, 1)];
        let got = best_discounts(
            &items,
            &shipping(495, None),
            &[offer(1, Benefit::FreeShipping)],
        );
        assert_eq!(got.shipping_minor(), 495);
        assert_eq!(got.applied.len(), 1);
        // Shipping already free over the threshold: the promotion is still shown as applied.
        let got = best_discounts(
            &items,
            &shipping(495, Some(500)),
            &[offer(1, Benefit::FreeShipping)],
        );
        assert_eq!(got.total(), 0);
        assert_eq!(got.applied.len(), 1);
    }

    #[test]
    fn combining_promotions_apply_in_priority_order_on_what_is_left() {
        let items = [item(1, 1, 10_000, 1)];
        let mut ten_off = offer(1, Benefit::AmountOff(1000));
        ten_off.combines = true;
        ten_off.priority = 10;
        let mut twenty_percent = offer(2, Benefit::PercentOff(2000));
        twenty_percent.combines = true;
        let got = best_discounts(&items, &shipping(0, None), &[twenty_percent, ten_off]);
        // 100 − 10 = 90, then 20 % of 90 = 18: 28 off.
        assert_eq!(
            got.applied
                .iter()
                .map(|a| a.promotion_id)
                .collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(got.total(), 2800);
    }

    #[test]
    fn a_promotion_that_does_not_combine_wins_only_when_it_gives_more() {
        let items = [item(1, 1, 10_000, 1)];
        let mut a = offer(1, Benefit::PercentOff(1000));
        a.combines = true;
        let mut b = offer(2, Benefit::PercentOff(1000));
        b.combines = true;
        let alone_15 = offer(3, Benefit::PercentOff(1500));
        let got = best_discounts(
            &items,
            &shipping(0, None),
            &[a.clone(), b.clone(), alone_15],
        );
        // 10 % then 10 % = 19 % beats 15 % alone.
        assert_eq!(got.total(), 1900);
        let alone_25 = offer(4, Benefit::PercentOff(2500));
        let got = best_discounts(&items, &shipping(0, None), &[a, b, alone_25]);
        assert_eq!(got.applied.len(), 1);
        assert_eq!(got.applied[0].promotion_id, 4);
        assert_eq!(got.total(), 2500);
    }

    #[test]
    fn equal_savings_go_to_the_higher_priority() {
        let items = [item(1, 1, 10_000, 1)];
        let low = offer(1, Benefit::PercentOff(1000));
        let mut high = offer(2, Benefit::AmountOff(1000));
        high.priority = 5;
        let got = best_discounts(&items, &shipping(0, None), &[low, high]);
        assert_eq!(got.applied[0].promotion_id, 2);
    }

    #[test]
    fn the_free_shipping_threshold_counts_the_discounted_subtotal() {
        let items = [item(1, 1, 8000, 1)];
        let got = best_discounts(
            &items,
            &shipping(495, Some(7500)),
            &[offer(1, Benefit::AmountOff(1000))],
        );
        assert_eq!(got.total(), 1000);
        let method = shipping(495, Some(7500));
        assert_eq!(method.for_subtotal(8000 - got.total()).unwrap(), 495);
    }

    #[test]
    fn a_sale_price_comes_only_from_automatic_percentages_with_no_minimum() {
        let shirt = item(1, 1, 2000, 1);
        assert_eq!(
            sale_price(shirt, &[offer(1, Benefit::PercentOff(2000))]),
            Some(1600)
        );
        let mut with_code = offer(2, Benefit::PercentOff(2000));
        with_code.code = Some("SPRING".into());
        let mut with_minimum = offer(3, Benefit::PercentOff(2000));
        with_minimum.min_subtotal_minor = Some(5000);
        let amount = offer(4, Benefit::AmountOff(500));
        assert_eq!(sale_price(shirt, &[with_code, with_minimum, amount]), None);
    }
}
