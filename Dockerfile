FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The staff UI, served by the API from dist/web; the worker bundle that start:worker runs (its
# prestart rebuilds it, as the node user, so that user owns dist/worker).
RUN npm run ui:build && npm run build:worker && chown -R node:node dist/worker
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
