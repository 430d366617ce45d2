//! Small shapes the overlay format shares, with error messages that say what
//! was expected.

use serde::Deserialize;

/// One value or a list of them.
#[derive(Debug, Clone)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Vec<T>, E> {
                use serde::de::IntoDeserializer;
                let d: serde::de::value::StringDeserializer<E> = v.to_string().into_deserializer();
                Ok(vec![T::deserialize(d)?])
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(out)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
            .map(OneOrMany)
    }
}

/// A mapping read in the order it is written (duplicate keys are errors).
#[derive(Debug, Clone)]
pub struct Ordered<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, K: Deserialize<'de> + PartialEq + std::fmt::Debug, V: Deserialize<'de>> Deserialize<'de>
    for Ordered<K, V>
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + PartialEq + std::fmt::Debug, V: Deserialize<'de>>
            serde::de::Visitor<'de> for Vis<K, V>
        {
            type Value = Vec<(K, V)>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(K, V)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<K, V>()? {
                    if out.iter().any(|(have, _)| *have == k) {
                        return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                    }
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(Vis(std::marker::PhantomData))
            .map(Ordered)
    }
}

/// A mapping type with rules beyond its shape.
pub trait Check: Sized {
    fn check(self) -> Result<Self, String>;
}

/// Reads a mapping as `T` and checks it, inside the reader's handling of that
/// mapping, so that a failed check carries the mapping's line and column
/// (serde's `try_from` reports after the reader has moved on, without them).
pub fn checked_map<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Check>(
    d: D,
) -> Result<T, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Check> serde::de::Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let t = T::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
            t.check().map_err(serde::de::Error::custom)
        }
    }
    d.deserialize_map(V(std::marker::PhantomData))
}
