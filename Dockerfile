FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The staff UI, served by the API from dist/web.
RUN npm run ui:build
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
