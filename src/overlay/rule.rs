//! The overlay file format: an overlay is a name, a description, parameters
//! and rules; a rule is a selector and operations.

use super::de::{checked_map, Check, Ordered};
use super::ops::images::ImageRewrite;
use super::ops::ingressroute::ConvertOp;
use super::ops::json::{PatchOp, SetOp};
use super::ops::placement::PlacementOp;
use super::ops::resources::ResourcesOp;
use super::params::{ParamString, ParamValue};
use super::pointer::Pointer;
use super::select::Selector;
use serde::Deserialize;

/// The whole file, read once its parameters are known.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub parameters: Ordered<String, ParamDecl>,
    pub rules: Vec<Rule>,
}

/// Just the parts needed before the rules can be read (rules use parameters).
#[derive(Debug, Deserialize)]
pub struct OverlayHead {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub parameters: Ordered<String, ParamDecl>,
}

/// A parameter: its default value, or `{default: …, description: …}`.
#[derive(Debug, Clone)]
pub struct ParamDecl {
    pub default: String,
    pub description: String,
}

impl<'de> Deserialize<'de> for ParamDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            default: ParamString,
            #[serde(default)]
            description: String,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ParamDecl;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a default value, or a mapping with `default` and `description`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ParamDecl, E> {
                Ok(ParamDecl {
                    default: v.to_string(),
                    description: String::new(),
                })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamDecl, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ParamDecl, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ParamDecl, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ParamDecl, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ParamDecl, A::Error> {
                let f = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ParamDecl {
                    default: f.default.0,
                    description: f.description,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One rule. Its operations run in the order of the fields below (a file
/// cannot order them differently: write two rules for that); `drop` last.
#[derive(Debug)]
pub struct Rule(pub RuleFields);

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_map(d).map(Rule)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFields {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub select: Selector,
    #[serde(default)]
    pub set: Option<SetOp>,
    #[serde(default)]
    pub merge: Option<ParamValue>,
    #[serde(default)]
    pub patch: Option<Vec<PatchOp>>,
    #[serde(default)]
    pub remove: Option<Vec<Pointer>>,
    #[serde(default)]
    pub resources: Option<ResourcesOp>,
    #[serde(default)]
    pub placement: Option<PlacementOp>,
    #[serde(default)]
    pub images: Option<Vec<ImageRewrite>>,
    #[serde(default, rename = "convert-ingressroutetcp")]
    pub convert_ingressroutetcp: Option<ConvertOp>,
    #[serde(default)]
    pub drop: bool,
}

impl RuleFields {
    /// Whether the rule may grow a resource by more than a few nodes of its
    /// own: `set`, `merge` and `patch` write what the overlay holds, and a
    /// patch's `copy` doubles a subtree. The other operations change values
    /// in place or add a handful of keys.
    pub fn may_grow(&self) -> bool {
        self.set.is_some() || self.merge.is_some() || self.patch.is_some()
    }

    /// Whether the rule may change what identifies the resource (`kind`,
    /// `apiVersion`, name, namespace): only the operations that write
    /// anywhere can. The others touch pod specs, images and resources.
    pub fn may_rename(&self) -> bool {
        self.may_grow() || self.remove.is_some()
    }
}

impl Check for RuleFields {
    fn check(self) -> Result<Self, String> {
        let any = self.set.is_some()
            || self.merge.is_some()
            || self.patch.is_some()
            || self.remove.is_some()
            || self.resources.is_some()
            || self.placement.is_some()
            || self.images.is_some()
            || self.convert_ingressroutetcp.is_some()
            || self.drop;
        if !any {
            return Err(
                "a rule needs an operation: set, merge, patch, remove, resources, placement, images, \
                 convert-ingressroutetcp or drop"
                    .into(),
            );
        }
        if let Some(m) = &self.merge {
            if !m.0.is_object() {
                return Err("merge takes a mapping (a JSON merge patch of the resource)".into());
            }
        }
        Ok(self)
    }
}
