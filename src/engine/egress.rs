//! The engine's side of [`Egress`]: what a sandboxed tool's HTTP host may
//! ask of the safety layer and the secret store, and nothing more.

use std::sync::Arc;

use async_trait::async_trait;
use zeroize::Zeroizing;

use super::Shared;
use crate::tools::Egress;

pub(super) struct AgentEgress {
    pub shared: Arc<Shared>,
}

#[async_trait]
impl Egress for AgentEgress {
    async fn check_outbound(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), String> {
        let layer = self.shared.safety.layer().await?;
        layer
            .check_outbound(url, headers, body)
            .map_err(|f| format!("blocked by the safety layer: {}", f.message))
    }

    async fn scan_leaks(&self, tool: &str, text: &str) -> String {
        match self.shared.safety.layer().await {
            Ok(layer) => layer.scan_leaks(text, Some(tool)).0,
            // Without the layer nothing reaches the tool unchecked.
            Err(e) => {
                format!("[IronClaw withheld this response: the safety layer is unavailable: {e}]")
            }
        }
    }

    async fn secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, String> {
        self.shared.vault.get(name).await
    }
}
